import { sql, type ExpressionBuilder } from 'kysely';
import { holdsAnywhere, mayActOn, reachesDepartment, reachOf, type Access } from '../../authz/access.js';
import { accessOf, authorizeAnywhere } from '../../authz/load-access.js';
import type { DB, DepartmentRow, UserRow } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { ancestorIds, liveUserStatuses, loadDepartment, subtreePattern } from './department-record.js';
import { actorUserId } from '../shared/context.js';

/*
 * departments:read is held org-wide (roles) or over the subtrees a department manager manages. A scoped
 * reader sees exactly the departments of its subtrees: lists narrow to them, and asking about a department
 * of the organisation outside them is FORBIDDEN (another organisation's stays NOT_FOUND, like a missing one).
 */

/** Departments within the reader's subtrees (every department for an org-wide reader). */
function inReach(eb: ExpressionBuilder<DB, 'departments'>, reach: 'organization' | readonly string[]) {
  if (reach === 'organization') return sql<boolean>`true`;
  if (reach.length === 0) return sql<boolean>`false`;
  return eb.or(reach.map((p) => eb('path', 'like', subtreePattern(p))));
}

/** FORBIDDEN unless the department lies in the reader's reach; returns the access for further use. */
async function authorizeDepartment(ctx: CommandContext, dept: DepartmentRow): Promise<Access> {
  const access = await authorizeAnywhere(ctx, 'departments:read');
  if (!reachesDepartment(access, 'departments:read', dept.path)) {
    throw new DomainError('FORBIDDEN', 'That department is outside the departments you manage.');
  }
  return access;
}

/** The whole tree (a scoped reader: its subtrees) as a flat list in path order (parents before children). */
export async function listDepartments(
  ctx: CommandContext,
  opts: { includeArchived?: boolean | null } = {},
): Promise<DepartmentRow[]> {
  const access = await authorizeAnywhere(ctx, 'departments:read');
  const reach = reachOf(access, 'departments:read');
  let q = ctx.db
    .selectFrom('departments')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where((eb) => inReach(eb, reach));
  if (!opts.includeArchived) q = q.where('archived_at', 'is', null);
  return q.orderBy('path').execute();
}

/** One department of the viewer's organisation; another organisation's is NOT_FOUND. */
export async function getDepartment(ctx: CommandContext, id: string): Promise<DepartmentRow> {
  await authorizeAnywhere(ctx, 'departments:read');
  const dept = await loadDepartment(ctx.db, ctx.actor.orgId, id);
  await authorizeDepartment(ctx, dept);
  return dept;
}

/** Ancestors, root first; a scoped reader gets those within its subtrees only. */
export async function departmentAncestors(
  ctx: CommandContext,
  dept: DepartmentRow,
): Promise<DepartmentRow[]> {
  const access = await authorizeDepartment(ctx, dept);
  const ids = ancestorIds(dept);
  if (ids.length === 0) return [];
  const reach = reachOf(access, 'departments:read');
  return ctx.db
    .selectFrom('departments')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', 'in', ids)
    .where((eb) => inReach(eb, reach))
    .orderBy('depth')
    .execute();
}

/** Live direct children, by name (within the reader's reach, since their parent is). */
export async function departmentChildren(ctx: CommandContext, dept: DepartmentRow): Promise<DepartmentRow[]> {
  await authorizeDepartment(ctx, dept);
  return ctx.db
    .selectFrom('departments')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('parent_id', '=', dept.id)
    .where('archived_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** Live descendants (not the department itself), in path order. */
export async function departmentDescendants(
  ctx: CommandContext,
  dept: DepartmentRow,
): Promise<DepartmentRow[]> {
  await authorizeDepartment(ctx, dept);
  return ctx.db
    .selectFrom('departments')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('path', 'like', subtreePattern(dept.path))
    .where('id', '<>', dept.id)
    .where('archived_at', 'is', null)
    .orderBy('path')
    .execute();
}

export async function departmentManagers(ctx: CommandContext, dept: DepartmentRow): Promise<UserRow[]> {
  await authorizeDepartment(ctx, dept);
  return ctx.db
    .selectFrom('department_managers as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .selectAll('u')
    .where('m.org_id', '=', ctx.actor.orgId)
    .where('m.department_id', '=', dept.id)
    .orderBy('u.display_name')
    .orderBy('u.id')
    .execute();
}

/** Live users (invited, active, suspended) who are primary or secondary members, counted once each. */
export async function departmentMemberCount(
  ctx: CommandContext,
  dept: DepartmentRow,
  includeSubtree: boolean,
): Promise<number> {
  await authorizeDepartment(ctx, dept);
  let q = ctx.db
    .selectFrom('user_departments as ud')
    .innerJoin('users as u', 'u.id', 'ud.user_id')
    .select(sql<number>`count(distinct ud.user_id)::int`.as('n'))
    .where('ud.org_id', '=', ctx.actor.orgId)
    .where('u.status', 'in', liveUserStatuses);
  q = includeSubtree
    ? q
        .innerJoin('departments as d', 'd.id', 'ud.department_id')
        .where('d.path', 'like', subtreePattern(dept.path))
    : q.where('ud.department_id', '=', dept.id);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface UserDepartment {
  department: DepartmentRow;
  isPrimary: boolean;
}

/**
 * A user's departments, the primary first. Readable by the user themself, by an org-wide departments:read
 * holder, and by a department manager who may read the user (users:read or departments:read over the
 * user's primary department); FORBIDDEN for anyone else. All of the user's memberships are listed, also
 * secondary ones outside the reader's subtrees (they are part of the user's record).
 */
export async function userDepartments(ctx: CommandContext, userId: string): Promise<UserDepartment[]> {
  const self = actorUserId(ctx.actor) === userId;
  if (!self) await authorizeUserDepartments(ctx, userId);
  if (!isUuid(userId)) return [];
  const rows = await ctx.db
    .selectFrom('user_departments as ud')
    .innerJoin('departments as d', 'd.id', 'ud.department_id')
    .selectAll('d')
    .select('ud.is_primary')
    .where('ud.org_id', '=', ctx.actor.orgId)
    .where('ud.user_id', '=', userId)
    .orderBy('ud.is_primary', 'desc')
    .orderBy('d.name')
    .execute();
  return rows.map(({ is_primary, ...department }) => ({ department, isPrimary: is_primary }));
}

/** See `userDepartments`: org-wide holders pass without a query; a manager's check reads the user's row. */
async function authorizeUserDepartments(ctx: CommandContext, userId: string): Promise<void> {
  const access = await accessOf(ctx);
  if (access.orgWide.has('departments:read') || access.orgWide.has('users:read')) return;
  if (!holdsAnywhere(access, 'departments:read') && !holdsAnywhere(access, 'users:read')) {
    throw new DomainError('FORBIDDEN');
  }
  if (!isUuid(userId)) return;
  const user = await ctx.db
    .selectFrom('users as u')
    .leftJoin('departments as d', (j) =>
      j.onRef('d.id', '=', 'u.primary_department_id').onRef('d.org_id', '=', 'u.org_id'),
    )
    .select(['u.id', 'u.role', 'd.path'])
    .where('u.org_id', '=', ctx.actor.orgId)
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!user) return; // another organisation's user, or none: no memberships to show
  const target = { id: user.id, role: user.role, primaryPath: user.path };
  if (
    !mayActOn(access, 'departments:read', target, 'read') &&
    !mayActOn(access, 'users:read', target, 'read')
  ) {
    throw new DomainError('FORBIDDEN', 'That user is outside the departments you manage.');
  }
}
