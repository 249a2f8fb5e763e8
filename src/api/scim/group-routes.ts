import type { FastifyInstance, FastifyReply } from 'fastify';
import { archiveDepartment } from '../../domain/departments/archive-department.js';
import { changeDepartmentMembers } from '../../domain/departments/change-department-members.js';
import { createDepartment } from '../../domain/departments/create-department.js';
import { updateDepartment } from '../../domain/departments/update-department.js';
import type { CommandContext, Services } from '../../domain/shared/context.js';
import { listResponse } from './discovery.js';
import { groupEtag, scimGroupOf } from './group-resource.js';
import { groupChangeOf, groupOfResource, type GroupFields } from './group-writes.js';
import { getScimGroup, listScimGroups } from './groups-query.js';
import { project, projectionOf, returnsAttribute, type Projection } from './projection.js';
import { ScimError } from './scim-error.js';
import { ctxOf, listRequestOf, matchesAny, objectBody, searchRequest, send } from './scim-reply.js';
import { expectedVersionOf } from './user-writes.js';
import type { UserListRequest } from './users-query.js';

/** The reason a SCIM DELETE of a group records: Roster archives the department (its history stays). */
export const groupDeletedReason = 'Deleted by the identity provider (SCIM DELETE).';

/**
 * Groups (RFC 7644 §3) are the organisation's live departments (docs/scim-attributes.md): read with their
 * members only when the client does not exclude them; created as top-level departments; renamed through
 * updateDepartment; members added and removed through changeDepartmentMembers, in bounded batches, so a
 * group of 100k members is never read whole to change it; DELETE archives the department once its members
 * are removed. A PATCH answers 204 (RFC 7644 §3.5.2 allows it): a large group's members are not sent back.
 */
export function groupRoutes(app: FastifyInstance, _services: Services, base: () => string): void {
  const resource = (r: Awaited<ReturnType<typeof getScimGroup>>) => scimGroupOf(r.row, r.members, base());

  app.get('/Groups', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    return listGroups(ctxOf(req), reply, listRequestOf(q), projectionOf(q.attributes, q.excludedAttributes));
  });
  app.post('/Groups/.search', async (req, reply) => {
    const body = objectBody(req.body);
    if (!Array.isArray(body.schemas) || !body.schemas.includes(searchRequest)) {
      throw new ScimError(400, 'invalidSyntax', `A search request names the schema ${searchRequest}.`);
    }
    const p = projectionOf(body.attributes, body.excludedAttributes);
    return listGroups(ctxOf(req), reply, listRequestOf(body), p);
  });
  app.get<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const p = projectionOf(q.attributes, q.excludedAttributes);
    const found = await getScimGroup(ctxOf(req), req.params.id, returnsAttribute(p, 'members'));
    const etag = groupEtag(found.row);
    reply.header('etag', etag);
    if (matchesAny(req.headers['if-none-match'], etag)) return reply.code(304).send();
    reply.header('location', `${base()}/Groups/${found.row.id}`);
    return send(reply, project(resource(found), p));
  });

  app.post('/Groups', async (req, reply) => {
    const ctx = ctxOf(req);
    const group = groupOfResource(objectBody(req.body));
    const made = await createDepartment(ctx, { name: group.displayName, externalId: group.externalId });
    if (group.members.length > 0) {
      try {
        await changeDepartmentMembers(ctx, { departmentId: made.id, add: group.members });
      } catch (err) {
        // The members were refused before any was added: take the new department back out (audited).
        await archiveDepartment(ctx, { departmentId: made.id }).catch(() => undefined);
        throw err;
      }
    }
    reply.code(201);
    return sendGroup(reply, await getScimGroup(ctx, made.id, true));
  });
  app.put<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    const ctx = ctxOf(req);
    const { row } = await getScimGroup(ctx, req.params.id, false);
    const expectedVersion = expectedVersionOf(req.headers['if-match'], row.version);
    const body = objectBody(req.body);
    if (body.id !== undefined && body.id !== row.id) {
      throw new ScimError(400, 'mutability', 'id is immutable: it must be the id in the URL.');
    }
    const group = groupOfResource(body);
    await updateGroupFields(ctx, row.id, group, expectedVersion);
    await changeDepartmentMembers(ctx, { departmentId: row.id, replaceWith: group.members });
    return sendGroup(reply, await getScimGroup(ctx, row.id, true));
  });
  app.patch<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    const ctx = ctxOf(req);
    const { row } = await getScimGroup(ctx, req.params.id, false);
    const expectedVersion = expectedVersionOf(req.headers['if-match'], row.version);
    const change = groupChangeOf(req.body);
    const updated = await updateGroupFields(ctx, row.id, change.fields, expectedVersion);
    if (change.replaceMembers !== null) {
      await changeDepartmentMembers(ctx, { departmentId: row.id, replaceWith: change.replaceMembers });
    } else if (change.add.length > 0 || change.remove.length > 0) {
      await changeDepartmentMembers(ctx, { departmentId: row.id, add: change.add, remove: change.remove });
    }
    reply.header('etag', groupEtag(updated ?? row));
    return reply.code(204).send();
  });
  app.delete<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    const ctx = ctxOf(req);
    const { row } = await getScimGroup(ctx, req.params.id, false);
    const expectedVersion = expectedVersionOf(req.headers['if-match'], row.version);
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw new ScimError(412, undefined, 'The group changed since that version.');
    }
    // Its members leave first (batched, audited per person); the archive then finds it empty.
    await changeDepartmentMembers(ctx, { departmentId: row.id, replaceWith: [] });
    await archiveDepartment(ctx, { departmentId: row.id, expectedVersion });
    return reply.code(204).send();
  });

  /** The department's own attributes, when the request changes any (one updateDepartment, audited). */
  async function updateGroupFields(
    ctx: CommandContext,
    departmentId: string,
    fields: GroupFields,
    expectedVersion: number | undefined,
  ) {
    if (fields.displayName === undefined && fields.externalId === undefined) {
      if (expectedVersion !== undefined) {
        const { row } = await getScimGroup(ctx, departmentId, false);
        if (row.version !== expectedVersion)
          throw new ScimError(412, undefined, 'The group changed since that version.');
      }
      return null;
    }
    return updateDepartment(ctx, {
      departmentId,
      ...(fields.displayName === undefined ? {} : { name: fields.displayName }),
      ...(fields.externalId === undefined ? {} : { externalId: fields.externalId }),
      expectedVersion,
    });
  }

  function sendGroup(reply: FastifyReply, found: Awaited<ReturnType<typeof getScimGroup>>) {
    reply.header('etag', groupEtag(found.row));
    reply.header('location', `${base()}/Groups/${found.row.id}`);
    return send(reply, resource(found));
  }

  async function listGroups(ctx: CommandContext, reply: FastifyReply, r: UserListRequest, p: Projection) {
    const result = await listScimGroups(ctx, r, returnsAttribute(p, 'members'));
    return send(reply, {
      schemas: [listResponse],
      totalResults: result.totalResults,
      startIndex: r.startIndex,
      itemsPerPage: result.groups.length,
      Resources: result.groups.map((g) => project(scimGroupOf(g.row, g.members, base()), p)),
    });
  }
}
