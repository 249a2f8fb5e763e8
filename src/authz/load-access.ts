import { sql, type Kysely } from 'kysely';
import type { DB, UserRow } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import type { CommandContext } from '../domain/shared/context.js';
import {
  accessFor,
  holdsAnywhere,
  managerPermissionsOf,
  mayActOn,
  type Access,
  type AccessKind,
  type ManagedScope,
  type TargetUser,
} from './access.js';
import { isPermission, type Permission } from './permissions.js';

/**
 * The actor's managed departments, read fresh for every request (one indexed query, only for user
 * actors): a move of a department or a change of managers takes effect on the next request, so nobody
 * keeps a right after a reorganisation. Archived departments grant nothing.
 */
export async function loadAccess(db: Kysely<DB>, actor: CommandContext['actor']): Promise<Access> {
  if (actor.type !== 'user') return accessFor(actor);
  const departmentAdded = await addedPermissionsOfUser(db, actor.orgId, actor.userId);
  const rows = await db
    .selectFrom('department_managers as m')
    .innerJoin('departments as d', (j) =>
      j.onRef('d.id', '=', 'm.department_id').onRef('d.org_id', '=', 'm.org_id'),
    )
    .select(['d.id', 'd.name', 'd.path', 'd.manager_permissions'])
    .where('m.org_id', '=', actor.orgId)
    .where('m.user_id', '=', actor.userId)
    .where('d.archived_at', 'is', null)
    .orderBy('d.path')
    .execute();
  const managed: ManagedScope[] = rows.map((r) => ({
    departmentId: r.id,
    departmentName: r.name,
    path: r.path,
    permissions: managerPermissionsOf(r.manager_permissions),
  }));
  return accessFor(actor, managed, departmentAdded);
}

/**
 * The platform permissions a user's departments add: every live department on the path of each of the
 * user's memberships (primary or secondary — collaboration access) contributes its `added_permissions`.
 */
export async function addedPermissionsOfUser(
  db: Kysely<DB>,
  orgId: string,
  userId: string,
): Promise<Permission[]> {
  const rows = await db
    .selectFrom('user_departments as ud')
    .innerJoin('departments as m', 'm.id', 'ud.department_id')
    .innerJoin('departments as a', (j) =>
      j
        .onRef('a.org_id', '=', 'm.org_id')
        .on(sql<boolean>`a.id = any(string_to_array(rtrim(m.path, '/'), '/')::uuid[])`),
    )
    .select(sql<string>`unnest(a.added_permissions)`.as('permission'))
    .where('ud.org_id', '=', orgId)
    .where('ud.user_id', '=', userId)
    .where('m.archived_at', 'is', null)
    .where('a.archived_at', 'is', null)
    .execute();
  return [...new Set(rows.map((r) => r.permission))].filter(isPermission);
}

/** The platform permissions a department adds for its members: its own and its live ancestors'. */
export async function addedPermissionsAt(
  db: Kysely<DB>,
  orgId: string,
  departmentPath: string,
): Promise<Permission[]> {
  const ids = departmentPath.split('/').filter(Boolean);
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('departments')
    .select(sql<string>`unnest(added_permissions)`.as('permission'))
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('archived_at', 'is', null)
    .execute();
  return [...new Set(rows.map((r) => r.permission))].filter(isPermission);
}

const memo = new WeakMap<CommandContext, Promise<Access>>();

/** The actor's access for this command context, loaded once per context (one per request). */
export function accessOf(ctx: CommandContext): Promise<Access> {
  let p = memo.get(ctx);
  if (!p) {
    p = loadAccess(ctx.db, ctx.actor);
    memo.set(ctx, p);
  }
  return p;
}

/** FORBIDDEN unless the actor holds the permission somewhere (org-wide or over some subtree). */
export async function authorizeAnywhere(ctx: CommandContext, permission: Permission): Promise<Access> {
  const access = await accessOf(ctx);
  if (!holdsAnywhere(access, permission)) throw new DomainError('FORBIDDEN');
  return access;
}

/** The path of a department by id (null for null): the target's primary department. */
export async function departmentPath(
  db: Kysely<DB>,
  orgId: string,
  departmentId: string | null,
): Promise<string | null> {
  if (!departmentId) return null;
  const row = await db
    .selectFrom('departments')
    .select('path')
    .where('org_id', '=', orgId)
    .where('id', '=', departmentId)
    .executeTakeFirst();
  return row?.path ?? null;
}

export async function targetUserOf(db: Kysely<DB>, user: UserRow): Promise<TargetUser> {
  return {
    id: user.id,
    role: user.role,
    primaryPath: await departmentPath(db, user.org_id, user.primary_department_id),
  };
}

/**
 * FORBIDDEN unless the actor may use the permission on this user (see `mayActOn`). Call it with the
 * target row read (and for writes, locked) inside the command's transaction. No query for org-wide holders.
 */
export async function authorizeOnUser(
  ctx: CommandContext,
  db: Kysely<DB>,
  permission: Permission,
  user: UserRow,
  kind: AccessKind,
): Promise<void> {
  const access = await accessOf(ctx);
  if (access.orgWide.has(permission)) return;
  if (!mayActOn(access, permission, await targetUserOf(db, user), kind)) {
    throw new DomainError('FORBIDDEN', 'That user is outside the departments you manage.');
  }
}
