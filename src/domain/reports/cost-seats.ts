import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { subtreePattern } from '../departments/department-record.js';
import { seatStatuses, type SeatCount } from './cost-rollup.js';

/**
 * The one grouped query behind the cost report: how many users hold a seat per (primary department,
 * status). A GROUP BY and nothing else, so it stays fast at 1M users; the arithmetic is `costRollup`'s.
 * With `subtreePath` only departments of that subtree are counted.
 */

const seatCount = sql<number>`count(*)::int`.as('seats');

/**
 * Seats now, from the users rows themselves (`status`, `primary_department_id`, kept by
 * replaceMemberships): answered from the index (org_id, primary_department_id, status).
 */
export async function currentSeatCounts(
  db: Kysely<DB>,
  orgId: string,
  subtreePath: string | null,
): Promise<SeatCount[]> {
  let q = db
    .selectFrom('users')
    .select(['primary_department_id as departmentId', 'status', seatCount])
    .where('org_id', '=', orgId)
    .where('primary_department_id', 'is not', null)
    .where('status', 'in', seatStatuses);
  if (subtreePath) {
    q = q.where('primary_department_id', 'in', subtreeIds(db, orgId, subtreePath));
  }
  const rows = await q.groupBy(['primary_department_id', 'status']).execute();
  return rows.map((r) => ({ departmentId: r.departmentId!, status: r.status, seats: Number(r.seats) }));
}

/**
 * Seats as they were at the instant `asOf`, computed as the seats now corrected by the users whose status
 * or primary department changed after `asOf`: seats(asOf) = seats(now) - now(changed) + then(changed).
 * Its cost follows the number of changes since `asOf`, not the number of users (a full join of both
 * histories over 1M users took seconds). `seatCountsAtByJoin` is the direct definition, kept as the
 * tests' oracle for this one.
 */
export async function seatCountsAt(
  db: Kysely<DB>,
  orgId: string,
  asOf: Date,
  subtreePath: string | null,
): Promise<SeatCount[]> {
  const changed = await changedSince(db, orgId, asOf);
  const current = await currentSeatCounts(db, orgId, subtreePath);
  if (changed.length === 0) return current;
  const [nowOfChanged, thenOfChanged] = await Promise.all([
    currentSeatCountsOf(db, orgId, changed, subtreePath),
    seatCountsAtByJoin(db, orgId, asOf, subtreePath, changed),
  ]);
  return addSeatCounts([current, negate(nowOfChanged), thenOfChanged]);
}

/** Users with a status or primary-membership interval that starts or ends after `asOf`. */
async function changedSince(db: Kysely<DB>, orgId: string, asOf: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('user_status_history')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('valid_from', '>', asOf)
    .union((qb) =>
      qb
        .selectFrom('user_status_history')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('valid_to', '>', asOf),
    )
    .union((qb) =>
      qb
        .selectFrom('user_department_history')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('is_primary', '=', true)
        .where('valid_from', '>', asOf),
    )
    .union((qb) =>
      qb
        .selectFrom('user_department_history')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('is_primary', '=', true)
        .where('valid_to', '>', asOf),
    )
    .execute();
  return rows.map((r) => r.user_id);
}

async function currentSeatCountsOf(
  db: Kysely<DB>,
  orgId: string,
  userIds: readonly string[],
  subtreePath: string | null,
): Promise<SeatCount[]> {
  let q = db
    .selectFrom('users')
    .select(['primary_department_id as departmentId', 'status', seatCount])
    .where('org_id', '=', orgId)
    .where('id', '=', sql<string>`any(${sql.val(userIds)}::uuid[])`)
    .where('primary_department_id', 'is not', null)
    .where('status', 'in', seatStatuses);
  if (subtreePath) q = q.where('primary_department_id', 'in', subtreeIds(db, orgId, subtreePath));
  const rows = await q.groupBy(['primary_department_id', 'status']).execute();
  return rows.map((r) => ({ departmentId: r.departmentId!, status: r.status, seats: Number(r.seats) }));
}

/**
 * The definition of seats at `asOf`: each user's status interval from `user_status_history` and
 * primary-membership interval from `user_department_history` that contain `asOf`. Intervals are half-open,
 * [valid_from, valid_to): a change made at T counts from T on, and the interval it closes ends at T, so a
 * user is in exactly one status and at most one primary department at any instant. With `userIds`, only
 * those users.
 */
export async function seatCountsAtByJoin(
  db: Kysely<DB>,
  orgId: string,
  asOf: Date,
  subtreePath: string | null,
  userIds?: readonly string[],
): Promise<SeatCount[]> {
  let q = db
    .selectFrom('user_status_history as s')
    .innerJoin('user_department_history as p', 'p.user_id', 's.user_id')
    .select(['p.department_id as departmentId', 's.status', seatCount])
    .where('s.org_id', '=', orgId)
    .where('s.status', 'in', seatStatuses)
    .where('s.valid_from', '<=', asOf)
    .where((eb) => eb.or([eb('s.valid_to', 'is', null), eb('s.valid_to', '>', asOf)]))
    .where('p.org_id', '=', orgId)
    .where('p.is_primary', '=', true)
    .where('p.valid_from', '<=', asOf)
    .where((eb) => eb.or([eb('p.valid_to', 'is', null), eb('p.valid_to', '>', asOf)]));
  if (userIds) q = q.where('s.user_id', '=', sql<string>`any(${sql.val(userIds)}::uuid[])`);
  if (subtreePath) q = q.where('p.department_id', 'in', subtreeIds(db, orgId, subtreePath));
  const rows = await q.groupBy(['p.department_id', 's.status']).execute();
  return rows.map((r) => ({ departmentId: r.departmentId, status: r.status, seats: Number(r.seats) }));
}

const negate = (xs: readonly SeatCount[]): SeatCount[] => xs.map((x) => ({ ...x, seats: -x.seats }));

/** Sums seat counts per (department, status), dropping zeros. Pure. */
export function addSeatCounts(parts: readonly (readonly SeatCount[])[]): SeatCount[] {
  const sums = new Map<string, SeatCount>();
  for (const part of parts) {
    for (const c of part) {
      const key = `${c.departmentId}:${c.status}`;
      const prev = sums.get(key);
      sums.set(key, { departmentId: c.departmentId, status: c.status, seats: (prev?.seats ?? 0) + c.seats });
    }
  }
  return [...sums.values()].filter((c) => c.seats !== 0);
}

function subtreeIds(db: Kysely<DB>, orgId: string, path: string) {
  return db
    .selectFrom('departments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('path', 'like', subtreePattern(path));
}
