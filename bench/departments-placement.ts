// The set-based SQL that seeds the departments benchmark (departments-dataset.ts decides what is missing):
// the tree in one INSERT, then every unplaced user placed through hash buckets of its id. A department
// owns buckets in proportion to its share of users (departments-tree.ts), so each statement joins users
// to the buckets by equality: no row-by-row work, and the same user lands in the same place every time.
import { sql } from 'kysely';
import type { Tx } from '../src/db/transaction.js';
import { bucketRanges, type DepartmentSpec } from './departments-tree.js';

/** Hash buckets of the placement: 200k keeps every department non-empty at 1M users. */
const buckets = 200_000;

const hashOf = (salt: string) => sql<number>`mod(abs(hashtext(u.id::text || ${salt})::bigint), ${buckets})`;

/** The buckets as rows (department_id, b): a CTE, so every statement joins users to it by equality. */
function bucketRows(tree: readonly DepartmentSpec[], ids: Map<string, string>) {
  const { lo, hi } = bucketRanges(tree, buckets);
  const deptIds = tree.map((d) => ids.get(d.code) as string);
  return sql`select r.department_id, g.b
    from unnest(${deptIds}::uuid[], ${lo}::int[], ${hi}::int[]) as r(department_id, lo, hi),
      generate_series(r.lo, r.hi - 1) as g(b)`;
}

export async function timed<T>(
  steps: Record<string, number>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  steps[name] = Math.round(performance.now() - t0);
  return r;
}

export async function insertTree(trx: Tx, orgId: string, tree: readonly DepartmentSpec[]): Promise<void> {
  const col = <K extends keyof DepartmentSpec>(k: K) => tree.map((d) => d[k]);
  await sql`insert into departments (id, org_id, name, code, parent_id, cost_centre, monthly_cost_per_seat,
      path, depth, description)
    select t.id, ${orgId}::uuid, t.name, t.code, t.parent_id, t.cost_centre, t.rate, t.path, t.depth,
      'Benchmark ' || t.level
    from unnest(${col('id')}::uuid[], ${col('name')}::text[], ${col('code')}::text[],
      ${col('parentId')}::uuid[], ${col('costCentre')}::text[], ${col('rate')}::numeric[],
      ${col('path')}::text[], ${col('depth')}::int[], ${col('level')}::text[])
      as t(id, name, code, parent_id, cost_centre, rate, path, depth, level)`.execute(trx);
}

/**
 * Places every user of the organisation that has no primary department yet (the bench actors excepted).
 * Every statement is driven by `users.primary_department_id is null` and the users row is updated LAST, so
 * no statement reads the table it fills (an anti-join against a table created empty in the same
 * transaction is planned as a nested loop over a "tiny" table: quadratic, measured at 150 rows/s).
 */
export async function placeUsers(
  trx: Tx,
  orgId: string,
  excluded: string[],
  tree: readonly DepartmentSpec[],
  ids: Map<string, string>,
  now: Date,
  steps: Record<string, number>,
) {
  const k = bucketRows(tree, ids);
  const movedAt = sql`${now}::timestamptz - (1 + mod(abs(hashtext(u.id::text || ':moved-day')::bigint), 60))
    * interval '1 day'`;
  const isMoved = sql`mod(abs(hashtext(u.id::text || ':moved')::bigint), 20) = 0 and ${movedAt} > u.created_at`;
  const unplaced = sql`u.org_id = ${orgId} and u.primary_department_id is null
    and u.id <> all(${excluded}::uuid[])`;
  const hasSecondary = sql`mod(abs(hashtext(u.id::text || ':has-secondary')::bigint), 10) = 0`;
  // The primary and the secondary department of each unplaced user (null: none, or the same as the primary).
  const placement = sql`with k as (${k})
    select u.org_id, u.id, u.created_at, u.status, u.status_changed_at, p.department_id as primary_id,
      case when ${hasSecondary} and s.department_id <> p.department_id then s.department_id end as secondary_id,
      case when ${isMoved} then ${movedAt} end as moved_at,
      case when ${isMoved} and b.department_id <> p.department_id then b.department_id end as before_id
    from users u
      join k p on p.b = ${hashOf(':primary')}
      join k s on s.b = ${hashOf(':secondary')}
      join k b on b.b = ${hashOf(':before')}
    where ${unplaced}`;
  await timed(steps, 'placement (temporary table)', () =>
    sql`create temporary table bench_placement on commit drop as ${placement}`.execute(trx),
  );
  await sql`analyze bench_placement`.execute(trx);
  await timed(steps, 'user_departments', () =>
    sql`insert into user_departments (org_id, user_id, department_id, is_primary)
      select org_id, id, primary_id, true from bench_placement
      union all
      select org_id, id, secondary_id, false from bench_placement where secondary_id is not null`.execute(
      trx,
    ),
  );
  // History: every membership open since the user was created, except that 5% of users moved into their
  // primary department 1-60 days ago (from another one: the closed interval), so "as of 30 days ago"
  // differs from now.
  await timed(steps, 'user_department_history', () =>
    sql`insert into user_department_history (org_id, user_id, department_id, is_primary, valid_from, valid_to)
      select org_id, id, primary_id, true, coalesce(moved_at, created_at), null::timestamptz from bench_placement
      union all
      select org_id, id, secondary_id, false, created_at, null from bench_placement
        where secondary_id is not null
      union all
      select org_id, id, before_id, true, created_at, moved_at from bench_placement
        where before_id is not null`.execute(trx),
  );
  // Status history as of before the seeded status change (migration 0400's backfill has only the current
  // status, from status_changed_at): suspended and deactivated users were active since they were created.
  await timed(steps, 'user_status_history (before the last change)', () =>
    sql`insert into user_status_history (org_id, user_id, status, valid_from, valid_to)
      select org_id, id, 'active', created_at, status_changed_at from bench_placement
      where status in ('suspended', 'deactivated') and status_changed_at > created_at`.execute(trx),
  );
  await timed(steps, 'users.primary_department_id', () =>
    sql`update users u set primary_department_id = p.primary_id from bench_placement p
      where u.id = p.id and ${unplaced}`.execute(trx),
  );
}

/** Rows of a table in the organisation (affected-row counts are not reported by every driver). */
export async function countOf(
  trx: Tx,
  table: 'users' | 'user_departments' | 'user_department_history' | 'department_managers',
  orgId: string,
  where = sql`true`,
): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}
    where org_id = ${orgId} and ${where}`.execute(trx);
  return Number(r.rows[0]?.n ?? 0);
}

/** One manager per department: its first active member by id (the bench actors excluded). */
export async function seedManagers(trx: Tx, orgId: string, excluded: string[]): Promise<void> {
  await sql`insert into department_managers (org_id, department_id, user_id)
    select distinct on (ud.department_id) ud.org_id, ud.department_id, ud.user_id
    from user_departments ud join users u on u.id = ud.user_id
    where ud.org_id = ${orgId} and ud.is_primary and u.status = 'active' and u.id <> all(${excluded}::uuid[])
    order by ud.department_id, ud.user_id
    on conflict do nothing`.execute(trx);
}
