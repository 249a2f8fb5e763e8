import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { DB, UserRow } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import type { CommandContext } from '../domain/shared/context.js';
import {
  accessFor,
  holdsAnywhere,
  managerPermissionsOf,
  mayActOn,
  mayActOnRole,
  type Access,
  type AccessKind,
  type ManagedScope,
  type TargetUser,
} from './access.js';
import { isPermission, type Permission } from './permissions.js';

/**
 * The actor's access, read fresh for every request in ONE statement (only for user actors): the platform
 * permissions their departments add and the departments they manage. A move of a department, a change of
 * managers or of a department's permissions takes effect on the next request, so nobody keeps a right
 * after a reorganisation. Archived departments grant nothing.
 */
export async function loadAccess(db: Kysely<DB>, actor: CommandContext['actor']): Promise<Access> {
  if (actor.type !== 'user' && actor.type !== 'personal_token') return accessFor(actor);
  const added = db
    .selectFrom(addedPermissionRows(db, actor.orgId, actor.userId).as('x'))
    .select(sql<string[]>`coalesce(array_agg(distinct x.permission), '{}')`.as('v'));
  const managed = db
    .selectFrom('department_managers as m')
    .innerJoin('departments as d', (j) =>
      j.onRef('d.id', '=', 'm.department_id').onRef('d.org_id', '=', 'm.org_id'),
    )
    .select(
      sql<ManagedRow[]>`coalesce(json_agg(json_build_object('id', d.id, 'name', d.name, 'path', d.path,
        'permissions', d.manager_permissions) order by d.path), '[]'::json)`.as('v'),
    )
    .where('m.org_id', '=', actor.orgId)
    .where('m.user_id', '=', actor.userId)
    .where('d.archived_at', 'is', null);
  const row = await db.selectNoFrom([added.as('added'), managed.as('managed')]).executeTakeFirstOrThrow();
  const scopes: ManagedScope[] = (row.managed ?? []).map((r) => ({
    departmentId: r.id,
    departmentName: r.name,
    path: r.path,
    permissions: managerPermissionsOf(r.permissions),
  }));
  return accessFor(actor, scopes, (row.added ?? []).filter(isPermission));
}

interface ManagedRow {
  id: string;
  name: string;
  path: string;
  permissions: string[] | null;
}

/**
 * The permissions added to a user, one row each (duplicates possible): every live department on the path
 * of each of the user's memberships (primary or secondary — collaboration access) adds its own.
 */
function addedPermissionRows(db: Kysely<DB>, orgId: string, userId: string) {
  return db
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
    .where('a.archived_at', 'is', null);
}

/** The platform permissions a user's departments add (see `addedPermissionRows`). */
export async function addedPermissionsOfUser(
  db: Kysely<DB>,
  orgId: string,
  userId: string,
): Promise<Permission[]> {
  const rows = await addedPermissionRows(db, orgId, userId).execute();
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

/** Primary department paths read together with user rows (`withPrimaryPath`), keyed by the row object. */
const knownPrimaryPaths = new WeakMap<UserRow, string | null>();

/**
 * A users row as read with the `primaryDepartmentPath` selection: the path is put aside (keyed by the row)
 * so that `targetUserOf` needs no second query, and the row keeps the shape of a `UserRow`.
 */
export function withPrimaryPath<R extends UserRow & { primary_department_path: string | null }>(
  row: R,
): UserRow {
  const { primary_department_path, ...user } = row;
  knownPrimaryPaths.set(user, primary_department_path);
  return user;
}

/** The selection to pass to `withPrimaryPath`: the path of the row's primary department, in the same read. */
export function primaryDepartmentPath(eb: ExpressionBuilder<DB, 'users'>) {
  return eb
    .selectFrom('departments as pd')
    .select('pd.path')
    .whereRef('pd.id', '=', 'users.primary_department_id')
    .whereRef('pd.org_id', '=', 'users.org_id')
    .as('primary_department_path');
}

export async function targetUserOf(db: Kysely<DB>, user: UserRow): Promise<TargetUser> {
  const known = knownPrimaryPaths.get(user);
  return {
    id: user.id,
    role: user.role,
    primaryPath:
      known !== undefined ? known : await departmentPath(db, user.org_id, user.primary_department_id),
  };
}

/**
 * FORBIDDEN unless the actor may use the permission on this user (see `mayActOn`): for a write, whatever
 * the actor's reach, the user's role must hold no permission that ranks above the actor (`mayActOnRole`).
 * Call it with the target row read (and for writes, locked) inside the command's transaction, before any
 * other check on the target. No query for org-wide holders.
 */
export async function authorizeOnUser(
  ctx: CommandContext,
  db: Kysely<DB>,
  permission: Permission,
  user: UserRow,
  kind: AccessKind,
): Promise<void> {
  const access = await accessOf(ctx);
  if (access.orgWide.has(permission)) {
    if (kind === 'write' && !mayActOnRole(access, user.role)) throw outranked();
    return;
  }
  if (!mayActOn(access, permission, await targetUserOf(db, user), kind)) throw outsideScope();
}

/**
 * The refusals of `authorizeOnUser`. Every command checks them right after reading the target, before any
 * check of its state (version, last owner, pending invitation...), so a refused actor learns nothing more
 * about the target than any forbidden target would tell. A scoped actor gets one sentence whichever of
 * scope or role refused it (it may not be allowed to read the user's role).
 */
export const outranked = () =>
  new DomainError('FORBIDDEN', "That user's role holds permissions you do not have.");
export const outsideScope = () =>
  new DomainError('FORBIDDEN', 'That user is outside the departments you manage.');
