import { sql, type SelectQueryBuilder } from 'kysely';
import { authorize } from '../../authz/authorize.js';
import type { DB, UserRow } from '../../db/schema.js';
import { notFound } from '../../domain/errors.js';
import type { CommandContext } from '../../domain/shared/context.js';
import { isUuid } from '../../domain/shared/ids.js';
import { compileUserFilter, parseFilter, userSortExpression } from './filter/index.js';
import type { UserGroup } from './user-resource.js';

/** RFC 7644 §3.4.2.4: `count` is a maximum; ServiceProviderConfig says `filter.maxResults`. */
export const scimListLimits = { defaultCount: 100, maxResults: 200 } as const;

export interface UserListRequest {
  filter: string | null;
  /** 1-based (RFC 7644 §3.4.2.4). */
  startIndex: number;
  count: number;
  sortBy: string | null;
  sortOrder: 'ascending' | 'descending';
}

export interface UserListResult {
  totalResults: number;
  users: { row: UserRow; groups: UserGroup[] }[];
}

/**
 * `totalResults` of a list whose page holds `pageLength` rows: a page that is not full ends the list, so it
 * tells the total without counting (a look-up by userName, externalId or displayName, the commonest query of
 * all, is then one statement); a full or an empty later page does not, and the `matching` rows are counted.
 */
export async function listTotal<TB extends keyof DB>(
  r: Pick<UserListRequest, 'startIndex' | 'count'>,
  pageLength: number,
  matching: () => SelectQueryBuilder<DB, TB, object>,
): Promise<number> {
  const endsTheList = r.count > 0 && pageLength < r.count && (pageLength > 0 || r.startIndex === 1);
  if (endsTheList) return r.startIndex - 1 + pageLength;
  const counted = await matching()
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(counted.n);
}

/**
 * The organisation's users a SCIM query selects, one page of them in order, and how many match. The filter
 * compiles to one SQL predicate (never filtered in memory); the page is ordered by `sortBy` (then id, so
 * pages never overlap) or by creation. Needs `users:read`; a SCIM token reads its whole organisation.
 */
export async function listScimUsers(ctx: CommandContext, r: UserListRequest): Promise<UserListResult> {
  authorize(ctx.actor, 'users:read');
  const where = r.filter === null ? null : compileUserFilter(parseFilter(r.filter));
  const base = () => {
    // A deactivated user is, to SCIM, a deleted one (RFC 7644 §3.6: 404 and never in results afterwards).
    let q = ctx.db
      .selectFrom('users')
      .where('users.org_id', '=', ctx.actor.orgId)
      .where('users.status', '!=', 'deactivated');
    if (where) q = q.where(where);
    return q;
  };
  const direction = r.sortOrder === 'descending' ? sql`desc` : sql`asc`;
  const order = r.sortBy === null ? sql.ref('users.created_at') : userSortExpression(r.sortBy);
  const rows =
    r.count === 0
      ? ([] as UserRow[])
      : await base()
          .selectAll('users')
          .orderBy(sql`${order} ${direction}`)
          .orderBy('users.id', r.sortOrder === 'descending' ? 'desc' : 'asc')
          .offset(r.startIndex - 1)
          .limit(r.count)
          .execute();
  const totalResults = await listTotal(r, rows.length, base);
  const groups = await groupsOf(
    ctx,
    rows.map((u) => u.id),
  );
  return {
    totalResults,
    users: rows.map((row) => ({ row, groups: groups.get(row.id) ?? [] })),
  };
}

/**
 * One user of the organisation by SCIM id; NOT_FOUND for another organisation's or no one's, and for a
 * deactivated one (deleted, to SCIM).
 */
export async function getScimUser(
  ctx: CommandContext,
  id: string,
): Promise<{ row: UserRow; groups: UserGroup[] }> {
  authorize(ctx.actor, 'users:read');
  if (!isUuid(id)) throw notFound();
  const row = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .where('status', '!=', 'deactivated')
    .executeTakeFirst();
  if (!row) throw notFound();
  return { row, groups: await userGroupsOf(ctx, row.id) };
}

/** One user's department memberships, as `groups` lists them. */
export async function userGroupsOf(ctx: CommandContext, userId: string): Promise<UserGroup[]> {
  return (await groupsOf(ctx, [userId])).get(userId) ?? [];
}

/** The page's department memberships (not archived), in one query. */
async function groupsOf(ctx: CommandContext, userIds: string[]): Promise<Map<string, UserGroup[]>> {
  const out = new Map<string, UserGroup[]>();
  if (userIds.length === 0) return out;
  const rows = await ctx.db
    .selectFrom('user_departments as m')
    .innerJoin('departments as d', (j) =>
      j.onRef('d.org_id', '=', 'm.org_id').onRef('d.id', '=', 'm.department_id'),
    )
    .select(['m.user_id', 'm.department_id', 'd.name'])
    .where('m.org_id', '=', ctx.actor.orgId)
    .where('m.user_id', 'in', userIds)
    .where('d.archived_at', 'is', null)
    .orderBy('m.user_id')
    .orderBy('d.name')
    .execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ departmentId: r.department_id, name: r.name });
    out.set(r.user_id, list);
  }
  return out;
}
