import { sql } from 'kysely';
import { authorize } from '../../authz/authorize.js';
import type { DepartmentRow } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import type { CommandContext } from '../../domain/shared/context.js';
import { isUuid } from '../../domain/shared/ids.js';
import { compileFilter, groupFilterResource, parseFilter, sortExpression } from './filter/index.js';
import type { GroupMember } from './group-resource.js';
import { listTotal, type UserListRequest } from './users-query.js';

export interface GroupListResult {
  totalResults: number;
  groups: { row: DepartmentRow; members: GroupMember[] | null }[];
}

/**
 * The organisation's live departments a SCIM query over Groups selects, one page in order, and how many
 * match; with their members only when `withMembers` (the client did not exclude them). The filter compiles
 * to SQL like the Users'. Needs `departments:read`.
 */
export async function listScimGroups(
  ctx: CommandContext,
  r: UserListRequest,
  withMembers: boolean,
): Promise<GroupListResult> {
  authorize(ctx.actor, 'departments:read');
  const where =
    r.filter === null ? null : compileFilter(parseFilter(r.filter), groupFilterResource, 'departments');
  const base = () => {
    let q = ctx.db
      .selectFrom('departments')
      .where('departments.org_id', '=', ctx.actor.orgId)
      .where('departments.archived_at', 'is', null);
    if (where) q = q.where(where);
    return q;
  };
  const direction = r.sortOrder === 'descending' ? sql`desc` : sql`asc`;
  const order =
    r.sortBy === null
      ? sql.ref('departments.created_at')
      : sortExpression(r.sortBy, groupFilterResource, 'departments');
  const rows =
    r.count === 0
      ? ([] as DepartmentRow[])
      : await base()
          .selectAll('departments')
          .orderBy(sql`${order} ${direction}`)
          .orderBy('departments.id', r.sortOrder === 'descending' ? 'desc' : 'asc')
          .offset(r.startIndex - 1)
          .limit(r.count)
          .execute();
  const totalResults = await listTotal(r, rows.length, base);
  const members = withMembers
    ? await membersOf(
        ctx,
        rows.map((d) => d.id),
      )
    : null;
  return {
    totalResults,
    groups: rows.map((row) => ({ row, members: members ? (members.get(row.id) ?? []) : null })),
  };
}

/** One live department of the organisation by SCIM id (NOT_FOUND otherwise), with its members if asked. */
export async function getScimGroup(
  ctx: CommandContext,
  id: string,
  withMembers: boolean,
): Promise<{ row: DepartmentRow; members: GroupMember[] | null }> {
  authorize(ctx.actor, 'departments:read');
  if (!isUuid(id)) throw notFound();
  const row = await ctx.db
    .selectFrom('departments')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw notFound();
  return { row, members: withMembers ? ((await membersOf(ctx, [row.id])).get(row.id) ?? []) : null };
}

/** The departments' members who are not deactivated, in user id order (the membership index's). */
async function membersOf(ctx: CommandContext, departmentIds: string[]): Promise<Map<string, GroupMember[]>> {
  const out = new Map<string, GroupMember[]>();
  if (departmentIds.length === 0) return out;
  const rows = await ctx.db
    .selectFrom('user_departments as m')
    .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'm.org_id').onRef('u.id', '=', 'm.user_id'))
    .select(['m.department_id', 'm.user_id', 'u.display_name'])
    .where('m.org_id', '=', ctx.actor.orgId)
    .where('m.department_id', 'in', departmentIds)
    .where('u.status', '!=', 'deactivated')
    .orderBy('m.department_id')
    .orderBy('m.user_id')
    .execute();
  for (const r of rows) {
    const list = out.get(r.department_id) ?? [];
    list.push({ userId: r.user_id, displayName: r.display_name ?? '' });
    out.set(r.department_id, list);
  }
  return out;
}
