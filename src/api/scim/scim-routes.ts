import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { authenticateScimToken } from '../../domain/api-credentials/authenticate-scim-token.js';
import type { CommandContext, RequestMeta, Services } from '../../domain/shared/context.js';
import { discoveryList, listResponse, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { project, projectionOf, type Projection } from './projection.js';
import { ScimError, scimErrorOf } from './scim-error.js';
import { groupRoutes } from './group-routes.js';
import {
  bodyError,
  ctxOf,
  found,
  listRequestOf,
  matchesAny,
  objectBody,
  scimMediaType,
  searchRequest,
  send,
  sendError,
} from './scim-reply.js';
import { scimUserOf, userEtag, type UserGroup } from './user-resource.js';
import {
  applyPatch,
  docOfResource,
  docOfRow,
  domainFieldsOf,
  expectedVersionOf,
  type DomainUserFields,
} from './user-writes.js';
import { getScimUser, listScimUsers, userGroupsOf, type UserListRequest } from './users-query.js';
import type { UserRow } from '../../db/schema.js';
import { deactivateUser } from '../../domain/users/deactivate-user.js';
import { provisionUser } from '../../domain/users/provision-user.js';
import { updateProvisionedUser } from '../../domain/users/update-provisioned-user.js';
import { normalizeEmail } from '../../domain/users/user-record.js';

export const scimPrefix = '/scim/v2';
/** The reason a SCIM DELETE records: Roster deactivates (the record and its audit stay). */
export const deletedReason = 'Deleted by the identity provider (SCIM DELETE).';

declare module 'fastify' {
  interface FastifyRequest {
    scim: CommandContext | null;
  }
}

/**
 * SCIM 2.0 (RFC 7644) at /scim/v2: thin — parse the request, authenticate the organisation's SCIM token
 * (every request; the token's organisation is the one served), call the domain, answer
 * `application/scim+json`. Errors are RFC 7644 §3.12 bodies, never a bare 500 for bad input.
 * Users and Groups (group-routes.ts) are read (list, search, get with ETags) and written (POST, PUT, PATCH,
 * DELETE with If-Match), each write the console's domain commands; /Bulk answers 501.
 */
export function scimRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.decorateRequest('scim', null);
    // SCIM clients send application/scim+json; plain JSON is accepted too (RFC 7644 §3.1 SHOULD).
    app.addContentTypeParser(
      scimMediaType,
      { parseAs: 'string', bodyLimit: 1_048_576 },
      (_req, body, done) => {
        try {
          done(null, body === '' ? undefined : JSON.parse(body as string));
        } catch {
          done(new ScimError(400, 'invalidSyntax', 'The body is not valid JSON.'), undefined);
        }
      },
    );

    app.addHook('onRequest', async (request) => {
      const meta: RequestMeta = {
        requestId: request.id,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      };
      const actor = await authenticateScimToken(services, request.headers.authorization, meta);
      request.scim = { ...services, actor, meta };
    });

    app.setErrorHandler(async (err, request, reply) => {
      const known = scimErrorOf(err) ?? bodyError(err);
      if (!known) {
        request.log.error({ err }, 'unexpected error in the SCIM API');
        return sendError(reply, new ScimError(500, undefined, 'Internal error.'));
      }
      return sendError(reply, known);
    });
    app.setNotFoundHandler(async (_request, reply) =>
      sendError(reply, new ScimError(404, undefined, 'No such SCIM endpoint.')),
    );

    const base = () => `${services.config.publicUrl}${scimPrefix}`;

    app.get('/ServiceProviderConfig', async (_req, reply) => send(reply, serviceProviderConfig(base())));
    app.get('/ResourceTypes', async (_req, reply) => send(reply, discoveryList(resourceTypes(base()))));
    app.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (req, reply) =>
      send(reply, found(resourceTypes(base()).find((r) => r.id === req.params.id))),
    );
    app.get('/Schemas', async (_req, reply) => send(reply, discoveryList(schemas(base()))));
    app.get<{ Params: { id: string } }>('/Schemas/:id', async (req, reply) =>
      send(reply, found(schemas(base()).find((s) => s.id === req.params.id))),
    );

    app.get('/Users', async (req, reply) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      return listUsers(ctxOf(req), reply, listRequestOf(q), projectionOf(q.attributes, q.excludedAttributes));
    });
    app.post('/Users/.search', async (req, reply) => {
      const body = objectBody(req.body);
      if (!Array.isArray(body.schemas) || !body.schemas.includes(searchRequest)) {
        throw new ScimError(400, 'invalidSyntax', `A search request names the schema ${searchRequest}.`);
      }
      const r = listRequestOf(body);
      return listUsers(ctxOf(req), reply, r, projectionOf(body.attributes, body.excludedAttributes));
    });
    app.get<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      const { row, groups } = await getScimUser(ctxOf(req), req.params.id);
      const etag = userEtag(row);
      reply.header('etag', etag);
      if (matchesAny(req.headers['if-none-match'], etag)) return reply.code(304).send();
      reply.header('location', `${base()}/Users/${row.id}`);
      return send(
        reply,
        project(scimUserOf(row, groups, base()), projectionOf(q.attributes, q.excludedAttributes)),
      );
    });
    // Writes (RFC 7644 §3.3, §3.5, §3.6): each is one domain command, the console's rules and audit.
    app.post('/Users', async (req, reply) => {
      const fields = domainFieldsOf(docOfResource(objectBody(req.body)));
      const { active, email, ...profile } = fields;
      const made = await provisionUser(ctxOf(req), { email, ...profile, active: active ?? true });
      reply.code(201);
      return sendUser(reply, made.user, []);
    });
    app.put<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
      const ctx = ctxOf(req);
      const { row } = await getScimUser(ctx, req.params.id);
      const expectedVersion = expectedVersionOf(req.headers['if-match'], row.version);
      const body = objectBody(req.body);
      if (body.id !== undefined && body.id !== row.id) {
        throw new ScimError(400, 'mutability', 'id is immutable: it must be the id in the URL.');
      }
      const fields = domainFieldsOf(docOfResource(body));
      return writeUser(ctx, reply, row, fields, expectedVersion, fields.active);
    });
    app.patch<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
      const ctx = ctxOf(req);
      const { row } = await getScimUser(ctx, req.params.id);
      const expectedVersion = expectedVersionOf(req.headers['if-match'], row.version);
      const before = docOfRow(row);
      const fields = domainFieldsOf(applyPatch(before, req.body), before);
      const active = fields.active === before.core.active ? undefined : fields.active;
      return writeUser(ctx, reply, row, fields, expectedVersion, active);
    });
    app.delete<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
      const ctx = ctxOf(req);
      const { row } = await getScimUser(ctx, req.params.id);
      const expectedVersion = expectedVersionOf(req.headers['if-match'], row.version);
      await deactivateUser(ctx, { userId: row.id, reason: deletedReason, expectedVersion });
      return reply.code(204).send();
    });
    groupRoutes(app, services, base);
    app.post('/Bulk', async () => {
      throw new ScimError(501, undefined, 'Bulk operations are not available on this server.');
    });

    async function writeUser(
      ctx: CommandContext,
      reply: FastifyReply,
      row: UserRow,
      fields: DomainUserFields,
      expectedVersion: number | undefined,
      active: boolean | undefined,
    ) {
      if (normalizeEmail(fields.email) !== row.email_normalized) {
        throw new ScimError(400, 'mutability', 'userName (the email) cannot be changed through SCIM yet.');
      }
      const { email: _email, active: _active, ...profile } = fields;
      const updated = await updateProvisionedUser(ctx, {
        userId: row.id,
        ...profile,
        ...(active === undefined ? {} : { active }),
        expectedVersion,
      });
      return sendUser(reply, updated, await userGroupsOf(ctx, updated.id));
    }

    function sendUser(reply: FastifyReply, row: UserRow, groups: UserGroup[]) {
      reply.header('etag', userEtag(row));
      reply.header('location', `${base()}/Users/${row.id}`);
      return send(reply, scimUserOf(row, groups, base()));
    }

    async function listUsers(ctx: CommandContext, reply: FastifyReply, r: UserListRequest, p: Projection) {
      const result = await listScimUsers(ctx, r);
      return send(reply, {
        schemas: [listResponse],
        totalResults: result.totalResults,
        startIndex: r.startIndex,
        itemsPerPage: result.users.length,
        Resources: result.users.map((u) => project(scimUserOf(u.row, u.groups, base()), p)),
      });
    }
  };
}
