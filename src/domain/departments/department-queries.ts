import { sql } from 'kysely';
import { authorize } from '../../authz/authorize.js';
import type { DepartmentRow, UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { ancestorIds, liveUserStatuses, loadDepartment, subtreePattern } from './department-record.js';

/** The whole tree as a flat list in path order (each parent before its children). */
export async function listDepartments(
  ctx: CommandContext,
  opts: { includeArchived?: boolean | null } = {},
): Promise<DepartmentRow[]> {
  authorize(ctx.actor, 'departments:read');
  let q = ctx.db.selectFrom('departments').selectAll().where('org_id', '=', ctx.actor.orgId);
  if (!opts.includeArchived) q = q.where('archived_at', 'is', null);
  return q.orderBy('path').execute();
}

/** One department of the viewer's organisation; another organisation's is NOT_FOUND. */
export async function getDepartment(ctx: CommandContext, id: string): Promise<DepartmentRow> {
  authorize(ctx.actor, 'departments:read');
  return loadDepartment(ctx.db, ctx.actor.orgId, id);
}

/** Ancestors, root first. */
export async function departmentAncestors(
  ctx: CommandContext,
  dept: DepartmentRow,
): Promise<DepartmentRow[]> {
  authorize(ctx.actor, 'departments:read');
  const ids = ancestorIds(dept);
  if (ids.length === 0) return [];
  return ctx.db
    .selectFrom('departments')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', 'in', ids)
    .orderBy('depth')
    .execute();
}

/** Live direct children, by name. */
export async function departmentChildren(ctx: CommandContext, dept: DepartmentRow): Promise<DepartmentRow[]> {
  authorize(ctx.actor, 'departments:read');
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
  authorize(ctx.actor, 'departments:read');
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
  authorize(ctx.actor, 'departments:read');
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
  authorize(ctx.actor, 'departments:read');
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

/** A user's departments, the primary first. */
export async function userDepartments(ctx: CommandContext, userId: string): Promise<UserDepartment[]> {
  authorize(ctx.actor, 'departments:read');
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
