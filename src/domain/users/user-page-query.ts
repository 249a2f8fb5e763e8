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
import {
  isNullableSort,
  isTimestampSort,
  userSortColumns,
  type UserCursor,
  type UserOrder,
} from './user-cursor.js';

export type CursorRow = UserRow & { cursor_value: string | null };

/*
 * How a page is read. Without a search, the planner's own plan is right: the indexes (org_id, key, id),
 * (org_id, status, created_at, id) and (org_id, role, created_at, id) serve the orders and the status and
 * role filters, which do not cluster along the sort keys. A search does: NAME sorts by `search_text`, which
 * starts with the first name, so "maria" matches sit together far from "a"; the planner, assuming matches
 * spread evenly, walks the name index and reads 600k rows to find them (1.4 s at 1M users, measured).
 * So a searched page is read by the planner's match estimate:
 */
/** Up to this many matches, read all of them through the trigram index and sort: cost grows with the
 * matches (1.5-2 us each on PostgreSQL), never with the organisation. */
export const sortMatchesUpTo = 25_000;
/** Above it, matches are dense: walk the sort index, filtering as it goes, normally a few hundred rows;
 * if dense matches still cluster away from the start, give up after this many rows and sort the matches. */
export const walkBudgetRows = 5_000;

export interface PageQuery {
  orgId: string;
  /** The organisation and the filter. */
  where: UserWhere;
  /** Whether the filter has a search term (see above). */
  searching: boolean;
  /** The planner's row estimate for `where`; used only when searching. */
  estimate: number;
  order: UserOrder;
  cursor: UserCursor | null;
  limit: number;
  /** Overrides `walkBudgetRows` (tests). */
  walkBudget?: number;
}

/** A stretch of the order read by one index range: rows with a sort value, or (nulls last) rows without. */
interface Segment {
  position: UserWhere;
  nulls: boolean;
}

function segmentsOf(order: UserOrder, cursor: UserCursor | null): Segment[] {
  const column = userSortColumns[order.field];
  const after = sql.raw(order.direction === 'ASC' ? '>' : '<');
  const values: Segment = {
    nulls: false,
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
    nulls: true,
    position: (eb) =>
      eb.and([
        eb(column, 'is', null),
        ...(cursor && cursor.value === null
          ? [eb('id', order.direction === 'ASC' ? '>' : '<', cursor.id)]
          : []),
      ]),
  };
  return cursor && cursor.value === null ? [nulls] : [values, nulls];
}

/** The sort value as the cursor carries it: timestamps as UTC text with microseconds (see user-cursor.ts). */
function cursorValueOf(order: UserOrder): RawBuilder<string | null> {
  const column = sql.ref(userSortColumns[order.field]);
  return isTimestampSort(order.field)
    ? sql<string | null>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql<string | null>`${column}`;
}

/**
 * Up to `limit` rows after the cursor, in order. A nullable key (last activity) is read in two index
 * ranges — rows with a value, then rows without, by id — because "nulls last" both ways is not one index
 * order and a row comparison treats null as unknown. (Ordering the null range by the column too, all
 * nulls, lets the index (org_id, column, id) deliver the id order.)
 */
export async function fetchUserPage(db: Kysely<DB>, q: PageQuery): Promise<CursorRow[]> {
  const rows: CursorRow[] = [];
  for (const segment of segmentsOf(q.order, q.cursor)) {
    const need = q.limit - rows.length;
    if (need <= 0) break;
    rows.push(...(await fetchSegment(db, q, segment, need)));
  }
  return rows;
}

async function fetchSegment(db: Kysely<DB>, q: PageQuery, segment: Segment, limit: number) {
  if (!q.searching) return walk(db, q, segment, limit, null);
  if (q.estimate <= sortMatchesUpTo) return sortMatches(db, q, segment, limit);
  const walked = await walk(db, q, segment, limit, q.walkBudget ?? walkBudgetRows);
  // Fewer rows than asked: the budget ran out (or the list did); sorting the matches gives the exact page.
  return walked.length === limit ? walked : sortMatches(db, q, segment, limit);
}

/** Walks the sort index from the position; with a budget, filters only the first `budget` rows it reads. */
async function walk(db: Kysely<DB>, q: PageQuery, segment: Segment, limit: number, budget: number | null) {
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

/** Reads every match (through whichever index suits the filter: trigram, status, role), sorts, pages. */
async function sortMatches(db: Kysely<DB>, q: PageQuery, segment: Segment, limit: number) {
  const column = userSortColumns[q.order.field];
  const dir = q.order.direction === 'ASC' ? 'asc' : 'desc';
  return db
    .with(
      (w) => w('matches').materialized(),
      (d) => d.selectFrom('users').select(['id', column]).where(q.where).where(segment.position),
    )
    .selectFrom('users')
    .selectAll('users')
    .select(cursorValueOf(q.order).as('cursor_value'))
    .where('users.org_id', '=', q.orgId)
    .where('users.id', 'in', (d) =>
      d.selectFrom('matches').select('matches.id').orderBy(column, dir).orderBy('id', dir).limit(limit),
    )
    .orderBy(`users.${column}`, dir)
    .orderBy('users.id', dir)
    .execute();
}
