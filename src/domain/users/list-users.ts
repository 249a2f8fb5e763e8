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
  isNullableSort,
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
    /** The page that ends the list: `last` users (before `before`), read from the end of the order. */
    last: z.number().int().min(1).max(maxUsersPageSize).nullish(),
    /** `startCursor` of the page after, made with the same order: the page that precedes it. */
    before: z.string().max(maxCursorLength).nullish(),
    /** The approximate count (default true; the API asks for it only when the client selects it). */
    includeTotalCount: z.boolean().nullish(),
    /** The exact count too (a full count of the matching rows: ask only when needed). */
    includeExactCount: z.boolean().nullish(),
  })
  .strict()
  .refine((i) => !(i.first != null && i.last != null), {
    message: 'Give `first` or `last`, not both.',
    path: ['last'],
  })
  .refine((i) => !(i.after != null && i.before != null), {
    message: 'Give `after` or `before`, not both.',
    path: ['before'],
  })
  .refine((i) => !(i.first != null && i.before != null) && !(i.last != null && i.after != null), {
    message: '`first` goes with `after`, `last` with `before`.',
    path: ['before'],
  });

export interface UserEdge {
  cursor: string;
  node: UserRow;
}

export interface UserPage {
  edges: UserEdge[];
  pageInfo: {
    hasNextPage: boolean;
    endCursor: string | null;
    hasPreviousPage: boolean;
    startCursor: string | null;
  };
  /** Null when not asked for, unless known for free (see below). */
  totalCount: UserCount | null;
  exactCount: number | null;
}

/**
 * One page of the organisation's users (of the reader's departments for a scoped reader), filtered and sorted, with keyset pagination: the next page starts
 * strictly after the last row's (sort value, id), read straight from an index (org_id, column, id), so
 * page 20,000 costs what page 1 costs (OFFSET would read and discard every row before it).
 *
 * Backwards (`last`, optionally `before`): the same keyset read in the reversed order (nulls first), then
 * turned round, so the last page of a million users costs what the first costs. `hasPreviousPage` of a
 * forward page (and `hasNextPage` of a backward one) is whether a cursor was given: true but for the
 * ends, which is all a pager needs (Relay allows this).
 */
export async function listUsers(ctx: CommandContext, raw: z.input<typeof listUsersInput>): Promise<UserPage> {
  const access = await authorizeAnywhere(ctx, 'users:read');
  const input = parseInput(listUsersInput, raw);
  const order: UserOrder = input.orderBy ?? defaultUserOrder;
  const backward = input.last != null || input.before != null;
  const first = (backward ? input.last : input.first) ?? defaultUsersPageSize;
  const cursorText = backward ? input.before : input.after;
  const cursor = cursorText ? decodeUserCursor(cursorText, order, backward ? 'before' : 'after') : null;
  const readOrder: UserOrder = backward
    ? { field: order.field, direction: order.direction === 'ASC' ? 'DESC' : 'ASC' }
    : order;
  const filter = await resolveUserFilter(ctx.db, ctx.actor.orgId, input.filter ?? undefined);
  // A department manager without org-wide users:read sees the users whose primary department is in its
  // subtrees. Those cluster nowhere along a sort index, so the page is read adaptively (by the estimate).
  const reach = reachOf(access, 'users:read');
  const where: UserWhere = (eb) => userFilterWhere(eb, ctx.actor.orgId, filter, reach);
  const adaptive = readsAdaptively(filter, readOrder) || reach !== 'organization';
  const wantTotal = input.includeTotalCount !== false;

  // The planner's estimate picks how an adaptive page is read (see user-page-query.ts) and is the count.
  const estimate = adaptive || wantTotal ? await estimateUsers(ctx.db, where) : 0;
  const [{ rows, matchCount }, exact] = await Promise.all([
    fetchUserPage(ctx.db, {
      orgId: ctx.actor.orgId,
      where,
      adaptive,
      estimate,
      order: readOrder,
      cursor: cursor && { ...cursor, order: readOrder },
      limit: first + 1,
      nullsFirst: backward && isNullableSort(order.field),
      sortValueRequired:
        order.field === 'LAST_ACTIVE_AT' && Boolean(filter?.lastActiveAfter ?? filter?.lastActiveBefore),
    }),
    input.includeExactCount ? exactUserCount(ctx.db, where) : null,
  ]);
  const hasMore = rows.length > first;
  const inOrder = backward ? rows.slice(0, first).reverse() : rows.slice(0, first);
  const edges = inOrder.map(({ cursor_value, ...node }) => ({
    cursor: encodeUserCursor({ order, value: cursor_value, id: node.id }),
    node: node as UserRow,
  }));
  // Counts known for free: a first page that is also the last holds the whole result; a searched page
  // read by sorting all matches counted them. They are given even when not asked for, so a caller
  // computing counts lazily can skip the query.
  const known = cursor === null && !hasMore ? edges.length : matchCount;
  const totalCount: UserCount | null =
    known !== null
      ? { value: known, exact: true }
      : wantTotal
        ? await approximateUserCount(ctx.db, where, estimate)
        : null;
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? cursor !== null : hasMore,
      endCursor: edges.at(-1)?.cursor ?? null,
      hasPreviousPage: backward ? hasMore : cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
    },
    totalCount,
    exactCount: exact ?? known,
  };
}
