import { z } from 'zod';
import { reachOf } from '../../authz/access.js';
import { authorizeAnywhere } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import {
  approximateUserCount,
  estimateUsers,
  exactUserCount,
  type UserCount,
  type UserWhere,
} from './count-users.js';
import {
  decodeUserCursor,
  defaultUserOrder,
  encodeUserCursor,
  maxCursorLength,
  sortDirections,
  userSortFields,
  type UserOrder,
} from './user-cursor.js';
import { resolveUserFilter, userFilterSchema, userFilterWhere } from './user-filter.js';
import { fetchUserPage, readsAdaptively } from './user-page-query.js';

export const maxUsersPageSize = 100;
export const defaultUsersPageSize = 50;

export const listUsersInput = z
  .object({
    filter: userFilterSchema.nullish(),
    orderBy: z
      .object({ field: z.enum(userSortFields), direction: z.enum(sortDirections).default('ASC') })
      .strict()
      .nullish(),
    first: z.number().int().min(1).max(maxUsersPageSize).nullish(),
    /** `endCursor` of the previous page, made with the same order. */
    after: z.string().max(maxCursorLength).nullish(),
    /** The approximate count (default true; the API asks for it only when the client selects it). */
    includeTotalCount: z.boolean().nullish(),
    /** The exact count too (a full count of the matching rows: ask only when needed). */
    includeExactCount: z.boolean().nullish(),
  })
  .strict();

export interface UserEdge {
  cursor: string;
  node: UserRow;
}

export interface UserPage {
  edges: UserEdge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Null when not asked for, unless known for free (see below). */
  totalCount: UserCount | null;
  exactCount: number | null;
}

/**
 * One page of the organisation's users (of the reader's departments for a scoped reader), filtered and sorted, with keyset pagination: the next page starts
 * strictly after the last row's (sort value, id), read straight from an index (org_id, column, id), so
 * page 20,000 costs what page 1 costs (OFFSET would read and discard every row before it).
 */
export async function listUsers(ctx: CommandContext, raw: z.input<typeof listUsersInput>): Promise<UserPage> {
  const access = await authorizeAnywhere(ctx, 'users:read');
  const input = parseInput(listUsersInput, raw);
  const order: UserOrder = input.orderBy ?? defaultUserOrder;
  const first = input.first ?? defaultUsersPageSize;
  const cursor = input.after ? decodeUserCursor(input.after, order) : null;
  const filter = await resolveUserFilter(ctx.db, ctx.actor.orgId, input.filter ?? undefined);
  // A department manager without org-wide users:read sees the users whose primary department is in its
  // subtrees. Those cluster nowhere along a sort index, so the page is read adaptively (by the estimate).
  const reach = reachOf(access, 'users:read');
  const where: UserWhere = (eb) => userFilterWhere(eb, ctx.actor.orgId, filter, reach);
  const adaptive = readsAdaptively(filter, order) || reach !== 'organization';
  const wantTotal = input.includeTotalCount !== false;

  // The planner's estimate picks how an adaptive page is read (see user-page-query.ts) and is the count.
  const estimate = adaptive || wantTotal ? await estimateUsers(ctx.db, where) : 0;
  const [{ rows, matchCount }, exact] = await Promise.all([
    fetchUserPage(ctx.db, {
      orgId: ctx.actor.orgId,
      where,
      adaptive,
      estimate,
      order,
      cursor,
      limit: first + 1,
    }),
    input.includeExactCount ? exactUserCount(ctx.db, where) : null,
  ]);
  const hasNextPage = rows.length > first;
  const edges = rows.slice(0, first).map(({ cursor_value, ...node }) => ({
    cursor: encodeUserCursor({ order, value: cursor_value, id: node.id }),
    node: node as UserRow,
  }));
  // Counts known for free: a first page that is also the last holds the whole result; a searched page
  // read by sorting all matches counted them. They are given even when not asked for, so a caller
  // computing counts lazily can skip the query.
  const known = cursor === null && !hasNextPage ? edges.length : matchCount;
  const totalCount: UserCount | null =
    known !== null
      ? { value: known, exact: true }
      : wantTotal
        ? await approximateUserCount(ctx.db, where, estimate)
        : null;
  return {
    edges,
    pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
    exactCount: exact ?? known,
  };
}
