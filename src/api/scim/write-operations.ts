import type { DepartmentRow, UserRow } from '../../db/schema.js';
import { archiveDepartment } from '../../domain/departments/archive-department.js';
import { changeDepartmentMembers } from '../../domain/departments/change-department-members.js';
import { createDepartment } from '../../domain/departments/create-department.js';
import { updateDepartment } from '../../domain/departments/update-department.js';
import type { CommandContext } from '../../domain/shared/context.js';
import { deactivateUser } from '../../domain/users/deactivate-user.js';
import { provisionUser } from '../../domain/users/provision-user.js';
import { updateProvisionedUser } from '../../domain/users/update-provisioned-user.js';
import { groupEtag, scimGroupOf } from './group-resource.js';
import { groupChangeOf, groupOfResource, type GroupFields } from './group-writes.js';
import { getScimGroup } from './groups-query.js';
import { objectBody } from './scim-reply.js';
import { ScimError } from './scim-error.js';
import { scimUserOf, userEtag } from './user-resource.js';
import {
  applyPatch,
  docOfResource,
  docOfRow,
  domainFieldsOf,
  expectedVersionOf,
  type DomainUserFields,
} from './user-writes.js';
import { getScimUser, userGroupsOf } from './users-query.js';

/** The reason a SCIM DELETE of a user records: Roster deactivates (the record and its audit stay). */
export const deletedReason = 'Deleted by the identity provider (SCIM DELETE).';

/** A write as the HTTP routes and /Bulk both give it: the resource id (not for POST), body and If-Match. */
export interface WriteRequest {
  id?: string;
  body?: unknown;
  ifMatch?: string;
}

/** What a write answers: the status, and for 200/201 the resource with its ETag and Location. */
export interface WriteAnswer {
  status: 200 | 201 | 204;
  resource?: Record<string, unknown> & { id: string };
  etag?: string;
  location?: string;
}

export type WriteOperation = (ctx: CommandContext, req: WriteRequest) => Promise<WriteAnswer>;
export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type ResourceKind = 'Users' | 'Groups';

/**
 * The SCIM writes (RFC 7644 §3.3, §3.5, §3.6) of Users and Groups, each the console's domain commands with
 * their rules and audit; the same functions answer the HTTP routes and the operations of a /Bulk request.
 */
export function writeOperations(
  base: () => string,
): Record<ResourceKind, Record<WriteMethod, WriteOperation>> {
  const userAnswer = async (ctx: CommandContext, row: UserRow, status: 200 | 201): Promise<WriteAnswer> => ({
    status,
    resource: scimUserOf(row, status === 201 ? [] : await userGroupsOf(ctx, row.id), base()),
    etag: userEtag(row),
    location: `${base()}/Users/${row.id}`,
  });
  const groupAnswer = async (ctx: CommandContext, id: string, status: 200 | 201): Promise<WriteAnswer> => {
    const found = await getScimGroup(ctx, id, true);
    return {
      status,
      resource: scimGroupOf(found.row, found.members, base()),
      etag: groupEtag(found.row),
      location: `${base()}/Groups/${id}`,
    };
  };

  async function writeUser(
    ctx: CommandContext,
    row: UserRow,
    fields: DomainUserFields,
    expectedVersion: number | undefined,
    active: boolean | undefined,
  ): Promise<WriteAnswer> {
    const { email, active: _active, ...profile } = fields;
    const updated = await updateProvisionedUser(ctx, {
      userId: row.id,
      // A renamed userName is a new sign-in address (unique in the organisation, audited).
      ...(email === row.email ? {} : { email }),
      ...profile,
      ...(active === undefined ? {} : { active }),
      expectedVersion,
    });
    return userAnswer(ctx, updated, 200);
  }

  /**
   * The department's own attributes, when the request changes any (one updateDepartment, audited, the
   * version checked on the locked row); otherwise only the version, against the row the request read.
   */
  async function updateGroupFields(
    ctx: CommandContext,
    row: DepartmentRow,
    fields: GroupFields,
    expectedVersion: number | undefined,
  ) {
    if (fields.displayName === undefined && fields.externalId === undefined) {
      checkGroupVersion(row, expectedVersion);
      return null;
    }
    return updateDepartment(ctx, {
      departmentId: row.id,
      ...(fields.displayName === undefined ? {} : { name: fields.displayName }),
      ...(fields.externalId === undefined ? {} : { externalId: fields.externalId }),
      expectedVersion,
    });
  }

  return {
    Users: {
      POST: async (ctx, req) => {
        const fields = domainFieldsOf(docOfResource(objectBody(req.body)));
        const { active, email, ...profile } = fields;
        const made = await provisionUser(ctx, { email, ...profile, active: active ?? true });
        return userAnswer(ctx, made.user, 201);
      },
      PUT: async (ctx, req) => {
        const { row } = await getScimUser(ctx, idOf(req));
        const expectedVersion = expectedVersionOf(req.ifMatch, row.version);
        const body = objectBody(req.body);
        if (body.id !== undefined && body.id !== row.id) {
          throw new ScimError(400, 'mutability', 'id is immutable: it must be the id in the URL.');
        }
        const fields = domainFieldsOf(docOfResource(body));
        return writeUser(ctx, row, fields, expectedVersion, fields.active);
      },
      PATCH: async (ctx, req) => {
        const { row } = await getScimUser(ctx, idOf(req));
        const expectedVersion = expectedVersionOf(req.ifMatch, row.version);
        const before = docOfRow(row);
        const fields = domainFieldsOf(applyPatch(before, req.body), before);
        const active = fields.active === before.core.active ? undefined : fields.active;
        return writeUser(ctx, row, fields, expectedVersion, active);
      },
      DELETE: async (ctx, req) => {
        const { row } = await getScimUser(ctx, idOf(req));
        const expectedVersion = expectedVersionOf(req.ifMatch, row.version);
        await deactivateUser(ctx, { userId: row.id, reason: deletedReason, expectedVersion });
        return { status: 204 };
      },
    },
    // Groups are departments (docs/scim-attributes.md "Groups"); members change in bounded batches.
    Groups: {
      POST: async (ctx, req) => {
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
        return groupAnswer(ctx, made.id, 201);
      },
      PUT: async (ctx, req) => {
        const { row } = await getScimGroup(ctx, idOf(req), false);
        const expectedVersion = expectedVersionOf(req.ifMatch, row.version);
        const body = objectBody(req.body);
        if (body.id !== undefined && body.id !== row.id) {
          throw new ScimError(400, 'mutability', 'id is immutable: it must be the id in the URL.');
        }
        const group = groupOfResource(body);
        await updateGroupFields(ctx, row, group, expectedVersion);
        await changeDepartmentMembers(ctx, { departmentId: row.id, replaceWith: group.members });
        return groupAnswer(ctx, row.id, 200);
      },
      // 204 (RFC 7644 §3.5.2 allows it): a large group's members are not sent back.
      PATCH: async (ctx, req) => {
        const { row } = await getScimGroup(ctx, idOf(req), false);
        const expectedVersion = expectedVersionOf(req.ifMatch, row.version);
        const change = groupChangeOf(req.body);
        const updated = await updateGroupFields(ctx, row, change.fields, expectedVersion);
        if (change.replaceMembers !== null) {
          await changeDepartmentMembers(ctx, { departmentId: row.id, replaceWith: change.replaceMembers });
        } else if (change.add.length > 0 || change.remove.length > 0) {
          await changeDepartmentMembers(ctx, {
            departmentId: row.id,
            add: change.add,
            remove: change.remove,
          });
        }
        return { status: 204, etag: groupEtag(updated ?? row) };
      },
      DELETE: async (ctx, req) => {
        const { row } = await getScimGroup(ctx, idOf(req), false);
        const expectedVersion = expectedVersionOf(req.ifMatch, row.version);
        checkGroupVersion(row, expectedVersion);
        // Its members leave first (batched, audited per person); the archive then finds it empty.
        await changeDepartmentMembers(ctx, { departmentId: row.id, replaceWith: [] });
        await archiveDepartment(ctx, { departmentId: row.id, expectedVersion });
        return { status: 204 };
      },
    },
  };
}

function idOf(req: WriteRequest): string {
  if (req.id === undefined) throw new ScimError(404, undefined, 'No such resource.');
  return req.id;
}

/** 412 when If-Match named another version than the group's (for changes that write no department row). */
function checkGroupVersion(row: DepartmentRow, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== row.version) {
    throw new ScimError(412, undefined, 'The group changed since that version.');
  }
}
