import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { subtreePattern } from '../departments/department-record.js';
import { seatStatuses, type SeatCount } from './cost-rollup.js';

/**
 * Seats per (primary department, status) for the cost report, read from the seat ledger
 * (migration 20261127_0500_seat_ledger.sql, docs/decisions/0005-seat-ledger.md): the checkpoint nearest to
 * the instant plus (or minus) the ledger's events between the two. What it costs follows the number of
 * departments and of changes since the checkpoint, not the number of users. The definitions it must agree
 * with, kept as the tests' oracles: `seatCountsFromUsers` (now) and `seatCountsAtByJoin` (any instant).
 * With `subtreePath` only departments of that subtree are counted.
 */

const seatCount = sql<number>`count(*)::int`.as('seats');

/** Seats at `at`, or with `at` null after every recorded change (now, whatever the clocks say). */
export async function seatCounts(
  db: Kysely<DB>,
  orgId: string,
  at: Date | null,
  subtreePath: string | null,
): Promise<SeatCount[]> {
  const base = await nearestCheckpoint(db, orgId, at);
  // Events between the checkpoint and the instant: after it and up to `at` (added), or after `at` and up
  // to a later checkpoint (subtracted); with no checkpoint at all, every event up to `at`.
  const subtract = base?.after === true;
  const baseAt = base ? sql<Date>`${base.at}::timestamptz` : null;
  const events = db
    .selectFrom('seat_ledger')
    .select(['department_id', 'status', sql<number>`seats * ${sql.lit(subtract ? -1 : 1)}`.as('seats')])
    .where('org_id', '=', orgId)
    .$if(subtract, (q) => q.where('at', '>', at!).where('at', '<=', baseAt!))
    .$if(!subtract && base !== null, (q) => q.where('at', '>', baseAt!))
    .$if(!subtract && at !== null, (q) => q.where('at', '<=', at!));
  const parts = db
    .selectFrom('seat_checkpoints')
    .select(['department_id', 'status', sql<number>`seats`.as('seats')])
    .where('org_id', '=', orgId)
    .where((eb) => (baseAt ? eb('at', '=', baseAt) : sql<boolean>`false`))
    .unionAll(events);
  const rows = await db
    .selectFrom(parts.as('p'))
    .select(['p.department_id', 'p.status', sql<number>`sum(p.seats)::int`.as('seats')])
    .$if(subtreePath !== null, (q) => q.where('p.department_id', 'in', subtreeIds(db, orgId, subtreePath!)))
    .groupBy(['p.department_id', 'p.status'])
    .having(sql`sum(p.seats)`, '<>', 0)
    .execute();
  return rows.map((r) => ({ departmentId: r.department_id, status: r.status, seats: Number(r.seats) }));
}

/**
 * The checkpoint closest to `at` on either side (the latest for now); null when there is none. Its instant
 * is kept as the database's text: checkpoints taken with the database's clock have microseconds, which a
 * JavaScript Date would cut, and the checkpoint would then match no row.
 */
async function nearestCheckpoint(
  db: Kysely<DB>,
  orgId: string,
  at: Date | null,
): Promise<{ at: string; after: boolean } | null> {
  const cp = () => db.selectFrom('seat_checkpoints').where('org_id', '=', orgId);
  if (at === null) {
    const r = await cp()
      .select(sql<string | null>`max(at)::text`.as('at'))
      .executeTakeFirst();
    return r?.at ? { at: r.at, after: false } : null;
  }
  const r = await db
    .selectNoFrom([
      cp()
        .select(sql<string>`max(at)::text`.as('at'))
        .where('at', '<=', at)
        .as('before'),
      cp()
        .select(sql<string>`min(at)::text`.as('at'))
        .where('at', '>', at)
        .as('after'),
      cp()
        .select(sql<number>`extract(epoch from ${at}::timestamptz - max(at))`.as('s'))
        .where('at', '<=', at)
        .as('before_s'),
      cp()
        .select(sql<number>`extract(epoch from min(at) - ${at}::timestamptz)`.as('s'))
        .where('at', '>', at)
        .as('after_s'),
    ])
    .executeTakeFirst();
  if (!r?.before && !r?.after) return null;
  if (!r.after) return { at: r.before!, after: false };
  if (!r.before) return { at: r.after, after: true };
  return Number(r.before_s) <= Number(r.after_s)
    ? { at: r.before, after: false }
    : { at: r.after, after: true };
}

/**
 * Writes the checkpoint of `at`: the seats per (department, status) then, computed from the previous
 * checkpoint and the ledger. Only events already committed count, so `at` must lie far enough in the past
 * that no transaction still open can record an event at or before it (`checkpointSeatLedgers`).
 */
export async function writeSeatCheckpoint(db: Kysely<DB>, orgId: string, at: Date): Promise<number> {
  const counts = await seatCounts(db, orgId, at, null);
  let written = 0;
  for (let i = 0; i < counts.length; i += 2000) {
    const rows = counts.slice(i, i + 2000).map((c) => ({
      org_id: orgId,
      at,
      department_id: c.departmentId,
      status: c.status,
      seats: c.seats,
    }));
    const r = await db
      .insertInto('seat_checkpoints')
      .values(rows)
      .onConflict((oc) => oc.doNothing())
      .execute();
    written += rows.length && Number(r.reduce((n, x) => n + Number(x.numInsertedOrUpdatedRows ?? 0), 0));
  }
  return written;
}

/** Seats now from the users rows themselves (a GROUP BY over every user): the oracle for "now". */
export async function seatCountsFromUsers(
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
 * The definition of seats at `asOf`: each user's status interval from `user_status_history` and
 * primary-membership interval from `user_department_history` that contain `asOf`. Intervals are half-open,
 * [valid_from, valid_to): a change made at T counts from T on, and the interval it closes ends at T, so a
 * user is in exactly one status and at most one primary department at any instant. A join of both
 * histories over every user: seconds at 1M users, so it is the tests' oracle, not the report's path.
 */
export async function seatCountsAtByJoin(
  db: Kysely<DB>,
  orgId: string,
  asOf: Date,
  subtreePath: string | null,
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
  if (subtreePath) q = q.where('p.department_id', 'in', subtreeIds(db, orgId, subtreePath));
  const rows = await q.groupBy(['p.department_id', 's.status']).execute();
  return rows.map((r) => ({ departmentId: r.departmentId, status: r.status, seats: Number(r.seats) }));
}

function subtreeIds(db: Kysely<DB>, orgId: string, path: string) {
  return db
    .selectFrom('departments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('path', 'like', subtreePattern(path));
}
