import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import type { DB, UserRow } from '../../db/schema.js';
import type { UserWhere } from './count-users.js';
import type { UserFilter } from './user-filter.js';
import {
  isNullableSort,
  isTimestampSort,
  userSortColumns,
  type UserCursor,
  type UserOrder,
} from './user-cursor.js';

export type CursorRow = UserRow & { cursor_value: string | null };

/*
 * How a page is read. The planner's own plan is right when the filter does not cluster along the sort
 * key: the indexes (org_id, key, id), (org_id, status, created_at, id), (org_id, role, created_at, id)
 * serve the orders and the status and role filters. It is badly wrong when the filter does cluster, since
 * it assumes matches spread evenly and walks the sort index expecting to meet them soon:
 *  - a search with NAME order: `search_text` starts with the first name, so "maria" matches sit together
 *    far from "a" (600k rows read, 1.4 s at 1M users, measured);
 *  - activity and lifecycle with LAST_ACTIVE_AT order: users never signed in, or invited, have no last
 *    activity at all (the walk reads every user with one first, 1.5 s at 1M, measured), and deactivated
 *    users were active long ago; likewise activity with CREATED_AT order.
 * Those pages are read adaptively, by the planner's estimate of the matches:
 */
/** Up to this many matches, read all of them (through whichever index suits the filter) and sort: cost
 * grows with the matches (1.5-3 us each on PostgreSQL), never with the organisation. */
export const sortMatchesUpTo = 25_000;
/** Above it, matches are dense: walk the sort index, filtering as it goes, normally a few hundred rows;
 * if dense matches still cluster away from the start, give up after this many rows and sort the matches. */
export const walkBudgetRows = 5_000;

/** Whether a page of this filter in this order is read adaptively (see above). Pure. */
export function readsAdaptively(f: UserFilter | undefined, order: UserOrder): boolean {
  if (!f) return false;
  if (f.search) return true;
  const activity = f.neverSignedIn != null || f.lastActiveAfter != null || f.lastActiveBefore != null;
  switch (order.field) {
    case 'NAME':
    case 'EMAIL':
      return false;
    case 'CREATED_AT':
      return activity;
    case 'LAST_ACTIVE_AT':
      return (
        f.neverSignedIn != null ||
        Boolean(f.status?.length || f.role?.length || f.createdAfter || f.createdBefore)
      );
  }
}

export interface PageQuery {
  orgId: string;
  /** The organisation and the filter. */
  where: UserWhere;
  /** Whether the page is read adaptively (see above). */
  adaptive: boolean;
  /** The planner's row estimate for `where`; used only when adaptive. */
  estimate: number;
  order: UserOrder;
  cursor: UserCursor | null;
  limit: number;
  /**
   * Users without a sort value (never active) come first instead of last: a page read backwards (`last`
   * / `before`) reads the order reversed, and the reverse of "ascending, nulls last" is "descending,
   * nulls first".
   */
  nullsFirst?: boolean;
  /**
   * The filter matches no user without a sort value (a bound on last activity): the range of users without
   * one is not read. Backwards it would come first, and walking it (every user never active, none
   * matching) would exhaust the walk budget and sort every match.
   */
  sortValueRequired?: boolean;
  /** Overrides `walkBudgetRows` (tests). */
  walkBudget?: number;
}

/** A stretch of the order read by one index range: rows with a sort value, or (nulls last) rows without. */
interface Segment {
  position: UserWhere;
}

function segmentsOf(
  order: UserOrder,
  cursor: UserCursor | null,
  nullsFirst: boolean,
  sortValueRequired: boolean,
): Segment[] {
  const column = userSortColumns[order.field];
  const after = sql.raw(order.direction === 'ASC' ? '>' : '<');
  const values: Segment = {
    position: (eb) => {
      const parts: Expression<SqlBool>[] = [];
      if (isNullableSort(order.field)) parts.push(eb(column, 'is not', null));
      if (cursor?.value != null) {
        const v = isTimestampSort(order.field)
          ? sql`${cursor.value}::timestamptz`
          : sql`${cursor.value}::text`;
        parts.push(sql<SqlBool>`(${sql.ref(column)}, id) ${after} (${v}, ${cursor.id}::uuid)`);
      }
      return eb.and(parts);
    },
  };
  if (!isNullableSort(order.field)) return [values];
  const nulls: Segment = {
    position: (eb) =>
      eb.and([
        eb(column, 'is', null),
        ...(cursor && cursor.value === null
          ? [eb('id', order.direction === 'ASC' ? '>' : '<', cursor.id)]
          : []),
      ]),
  };
  if (sortValueRequired && cursor?.value !== null) return [values];
  if (nullsFirst) return cursor && cursor.value !== null ? [values] : [nulls, values];
  return cursor && cursor.value === null ? [nulls] : [values, nulls];
}

/** The sort value as the cursor carries it: timestamps as UTC text with microseconds (see user-cursor.ts). */
function cursorValueOf(order: UserOrder): RawBuilder<string | null> {
  const column = sql.ref(userSortColumns[order.field]);
  return isTimestampSort(order.field)
    ? sql<string | null>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql<string | null>`${column}`;
}

export interface UserPageRows {
  rows: CursorRow[];
  /** How many users match the filter in all, known for free when the page was read by sorting them. */
  matchCount: number | null;
}

/**
 * Up to `limit` rows after the cursor, in order. Walking an index, a nullable key (last activity) is read
 * in two ranges — rows with a value, then rows without, by id — because "nulls last" both ways is not one
 * index order and a row comparison treats null as unknown. (Ordering the null range by the column too, all
 * nulls, lets the index (org_id, column, id) deliver the id order.)
 */
export async function fetchUserPage(db: Kysely<DB>, q: PageQuery): Promise<UserPageRows> {
  if (q.adaptive && q.estimate <= sortMatchesUpTo) return sortMatches(db, q);
  const rows: CursorRow[] = [];
  for (const segment of segmentsOf(q.order, q.cursor, q.nullsFirst === true, q.sortValueRequired === true)) {
    const need = q.limit - rows.length;
    if (need <= 0) break;
    if (!q.adaptive) {
      rows.push(...(await walk(db, q, segment, need, null)));
      continue;
    }
    const walked = await walk(db, q, segment, need, q.walkBudget ?? walkBudgetRows);
    // Fewer rows than asked: the budget ran out (or the range did); sorting the matches gives the exact page.
    if (walked.length < need) return sortMatches(db, q);
    rows.push(...walked);
  }
  return { rows, matchCount: null };
}

/** Walks the sort index from the position; with a budget, filters only the first `budget` rows it reads. */
async function walk(
  db: Kysely<DB>,
  q: PageQuery,
  segment: Segment,
  limit: number,
  budget: number | null,
): Promise<CursorRow[]> {
  const column = userSortColumns[q.order.field];
  const dir = q.order.direction === 'ASC' ? 'asc' : 'desc';
  const inOrder = db
    .selectFrom('users')
    .selectAll()
    .select(cursorValueOf(q.order).as('cursor_value'))
    .where(budget === null ? q.where : (eb) => eb('org_id', '=', q.orgId))
    .where(segment.position)
    .orderBy(column, dir)
    .orderBy('id', dir);
  if (budget === null) return inOrder.limit(limit).execute();
  // The LIMIT inside keeps the filter out of the walk (PostgreSQL never pushes a condition into a
  // subquery with LIMIT). The filter names bare columns, which the subquery `walked` has too.
  return db
    .selectFrom(inOrder.limit(budget).as('walked'))
    .selectAll()
    .where((eb) => q.where(eb as unknown as ExpressionBuilder<DB, 'users'>))
    .orderBy(column, dir)
    .orderBy('id', dir)
    .limit(limit)
    .execute() as Promise<CursorRow[]>;
}

/** "After the cursor" among the matches, nulls last: a filter over the matches read, not an index range. */
function afterCursor(order: UserOrder, cursor: UserCursor | null, nullsFirst: boolean): RawBuilder<SqlBool> {
  if (!cursor) return sql<SqlBool>`true`;
  const column = sql.ref(userSortColumns[order.field]);
  const cmp = sql.raw(order.direction === 'ASC' ? '>' : '<');
  if (cursor.value === null) {
    const nullsAfter = sql<SqlBool>`${column} is null and id ${cmp} ${cursor.id}::uuid`;
    return nullsFirst ? sql<SqlBool>`(${nullsAfter} or ${column} is not null)` : nullsAfter;
  }
  const v = isTimestampSort(order.field) ? sql`${cursor.value}::timestamptz` : sql`${cursor.value}::text`;
  const beyond = sql<SqlBool>`(${column}, id) ${cmp} (${v}, ${cursor.id}::uuid)`;
  return isNullableSort(order.field) && !nullsFirst ? sql<SqlBool>`(${beyond} or ${column} is null)` : beyond;
}

/**
 * Reads every match (through whichever index suits the filter: trigram, status, role), sorts them and
 * takes the page after the cursor; counting the matches read costs nothing more.
 */
async function sortMatches(db: Kysely<DB>, q: PageQuery): Promise<UserPageRows> {
  const column = userSortColumns[q.order.field];
  const desc = q.order.direction === 'DESC';
  const nullsFirst = q.nullsFirst === true;
  const nulls = <T extends { nullsFirst(): T; nullsLast(): T }>(ob: T) =>
    nullsFirst ? ob.nullsFirst() : ob.nullsLast();
  const rows = await db
    .with(
      (w) => w('matches').materialized(),
      (d) => d.selectFrom('users').select(['id', column]).where(q.where),
    )
    .selectFrom('users')
    .selectAll('users')
    .select(cursorValueOf(q.order).as('cursor_value'))
    .select((eb) =>
      eb
        .selectFrom('matches')
        .select((m) => m.fn.countAll<number>().as('n'))
        .as('match_count'),
    )
    .where('users.org_id', '=', q.orgId)
    .where('users.id', 'in', (d) =>
      d
        .selectFrom('matches')
        .select('matches.id')
        .where(afterCursor(q.order, q.cursor, nullsFirst))
        .orderBy(column, (ob) => nulls(desc ? ob.desc() : ob.asc()))
        .orderBy('id', desc ? 'desc' : 'asc')
        .limit(q.limit),
    )
    .orderBy(`users.${column}`, (ob) => nulls(desc ? ob.desc() : ob.asc()))
    .orderBy('users.id', desc ? 'desc' : 'asc')
    .execute();
  const first = rows[0];
  return {
    rows: rows.map(({ match_count: _count, ...row }) => row as CursorRow),
    matchCount: first ? Number(first.match_count) : null,
  };
}
