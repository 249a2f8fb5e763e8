// The departments benchmark's data, on top of the users dataset (bench/dataset.ts): the 5,000-department
// tree of departments-tree.ts, every seeded user placed in a primary department (about 10% also in a
// secondary one) with membership history, a manager for every department, and three people who sign in:
// an org-wide Administrator and two Viewers who manage departments (one a directorate, one 20 units).
// Set-based SQL throughout (INSERT/UPDATE ... SELECT over hash buckets of the user id, no row-by-row work).
// Reused across runs: each step only does what is missing.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { withTransaction, type Tx } from '../src/db/transaction.js';
import { recordAuditEvent } from '../src/domain/audit/record-audit-event.js';
import { hashPassword } from '../src/domain/security/password-hash.js';
import { normalizeEmail, searchTextOf } from '../src/domain/users/user-record.js';
import type { Dataset } from './dataset.js';
import { bucketRanges, generateTree, type DepartmentSpec } from './departments-tree.js';

/** Hash buckets of the placement: 200k keeps every department non-empty at 1M users. */
const buckets = 200_000;
/** Units the "manager of many departments" manages. */
const manyUnits = 20;

export const benchActors = {
  admin: {
    email: 'bench-admin@example.test',
    password: 'benchmark administrator password 2026',
    name: 'Bench Administrator',
    role: 'administrator',
  },
  managerHigh: {
    email: 'bench-manager-high@example.test',
    password: 'benchmark directorate manager 2026',
    name: 'Bench Directorate Manager',
    role: 'viewer',
  },
  managerMany: {
    email: 'bench-manager-many@example.test',
    password: 'benchmark many-units manager 2026',
    name: 'Bench Units Manager',
    role: 'viewer',
  },
} as const;
export type ActorKey = keyof typeof benchActors;

export interface SeedDepartmentsResult {
  departments: number;
  placed: number;
  memberships: number;
  historyRows: number;
  managers: number;
  milliseconds: number;
  steps: Record<string, number>;
}

export interface PickedDepartment {
  id: string;
  code: string;
  name: string;
  depth: number;
  path: string;
  /** Users with a membership (primary or secondary) in the department or its subtree. */
  members: number;
}

export interface DepartmentsDataset {
  departments: number;
  seeded: SeedDepartmentsResult | null;
  picks: { root: PickedDepartment; division: PickedDepartment; team: PickedDepartment };
  actors: Record<ActorKey, { id: string; email: string; password: string; manages: string[] }>;
  /** Active Viewers in a team under the first managed unit (depth 4): in every manager's scope. */
  targets: { read: string; write: Record<ActorKey, string> };
}

const hashOf = (salt: string) => sql<number>`mod(abs(hashtext(u.id::text || ${salt})::bigint), ${buckets})`;

/** The buckets as rows (department_id, b): a CTE, so every statement joins users to it by equality. */
function bucketRows(tree: readonly DepartmentSpec[], ids: Map<string, string>) {
  const { lo, hi } = bucketRanges(tree, buckets);
  const deptIds = tree.map((d) => ids.get(d.code) as string);
  return sql`select r.department_id, g.b
    from unnest(${deptIds}::uuid[], ${lo}::int[], ${hi}::int[]) as r(department_id, lo, hi),
      generate_series(r.lo, r.hi - 1) as g(b)`;
}

async function timed<T>(steps: Record<string, number>, name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  steps[name] = Math.round(performance.now() - t0);
  return r;
}

async function insertTree(trx: Tx, orgId: string, tree: readonly DepartmentSpec[]): Promise<void> {
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

/** The three people who sign in: created once, with a password; placed outside the managed areas. */
async function ensureActors(trx: Tx, orgId: string, now: Date, home: string) {
  const out = {} as Record<ActorKey, string>;
  for (const [key, a] of Object.entries(benchActors) as [ActorKey, (typeof benchActors)[ActorKey]][]) {
    let row = await trx
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', orgId)
      .where('email_normalized', '=', normalizeEmail(a.email))
      .executeTakeFirst();
    if (row) {
      out[key] = row.id;
      continue;
    }
    row = await trx
      .insertInto('users')
      .values({
        org_id: orgId,
        email: a.email,
        email_normalized: normalizeEmail(a.email),
        display_name: a.name,
        search_text: searchTextOf(a.name, a.email),
        role: a.role,
        status: 'active',
        password_hash: await hashPassword(a.password),
        created_at: now,
        updated_at: now,
        activated_at: now,
        primary_department_id: home,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const membership = { org_id: orgId, user_id: row.id, department_id: home, is_primary: true };
    await trx.insertInto('user_departments').values(membership).execute();
    await trx
      .insertInto('user_department_history')
      .values({ ...membership, valid_from: now, valid_to: null })
      .execute();
    out[key] = row.id;
  }
  return out;
}

/**
 * Places every user of the organisation that has no primary department yet (the bench actors excepted).
 * Every statement is driven by `users.primary_department_id is null` and the users row is updated LAST, so
 * no statement reads the table it fills (an anti-join against a table created empty in the same
 * transaction is planned as a nested loop over a "tiny" table: quadratic, measured at 150 rows/s).
 */
async function placeUsers(
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
async function countOf(
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
async function seedManagers(trx: Tx, orgId: string, excluded: string[]): Promise<void> {
  await sql`insert into department_managers (org_id, department_id, user_id)
    select distinct on (ud.department_id) ud.org_id, ud.department_id, ud.user_id
    from user_departments ud join users u on u.id = ud.user_id
    where ud.org_id = ${orgId} and ud.is_primary and u.status = 'active' and u.id <> all(${excluded}::uuid[])
    order by ud.department_id, ud.user_id
    on conflict do nothing`.execute(trx);
}

async function pick(db: Kysely<DB>, orgId: string, id: string): Promise<PickedDepartment> {
  const d = await db
    .selectFrom('departments')
    .select(['id', 'code', 'name', 'depth', 'path'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const r = await sql<{ n: number }>`select count(distinct ud.user_id) as n from user_departments ud
    join departments s on s.id = ud.department_id
    where ud.org_id = ${orgId} and s.org_id = ${orgId} and s.path like ${`${d.path}%`}`.execute(db);
  return { ...d, code: d.code ?? '', members: Number(r.rows[0]?.n ?? 0) };
}

/** The root, the division nearest 7% of the users, the team nearest 200 members (by memberships). */
async function pickDepartments(db: Kysely<DB>, orgId: string, users: number, tree: DepartmentSpec[]) {
  const counts = await sql<{ department_id: string; n: number }>`select department_id, count(*) as n
    from user_departments where org_id = ${orgId} group by department_id`.execute(db);
  const direct = new Map(counts.rows.map((r) => [r.department_id, Number(r.n)]));
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'code', 'path'])
    .where('org_id', '=', orgId)
    .execute();
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const subtree = (path: string) =>
    rows.filter((r) => r.path.startsWith(path)).reduce((s, r) => s + (direct.get(r.id) ?? 0), 0);
  const nearest = (
    level: DepartmentSpec['level'],
    size: (r: (typeof rows)[number]) => number,
    goal: number,
  ) =>
    tree
      .filter((d) => d.level === level)
      .map((d) => byCode.get(d.code)!)
      .map((r) => ({ r, gap: Math.abs(size(r) - goal) }))
      .sort((a, b) => a.gap - b.gap)[0]!.r.id;
  const root = byCode.get('ORG')!.id;
  const division = nearest('division', (r) => subtree(r.path), 0.07 * users);
  const team = nearest('team', (r) => direct.get(r.id) ?? 0, 200);
  return {
    root: await pick(db, orgId, root),
    division: await pick(db, orgId, division),
    team: await pick(db, orgId, team),
  };
}

/** Makes sure the tree, the placements, the managers and the bench actors exist; seeds what is missing. */
export async function prepareDepartments(dataset: Dataset): Promise<DepartmentsDataset> {
  const { db, clock } = dataset.runtime.services;
  const { orgId } = dataset;
  const now = clock.now();
  const tree = generateTree();
  const started = performance.now();
  const steps: Record<string, number> = {};
  let seeded: SeedDepartmentsResult | null = null;

  const have = await db
    .selectFrom('departments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  if (Number(have.n) !== 0 && Number(have.n) !== tree.length) {
    throw new Error(`the bench organisation has ${have.n} departments; expected 0 or ${tree.length}`);
  }
  const codes = new Map(tree.map((d) => [d.code, d]));
  const units = tree.filter((d) => d.level === 'unit');
  const managedUnits = Array.from(
    { length: manyUnits },
    (_, i) => units[i * Math.floor(units.length / manyUnits)]!,
  );
  const directorate = codes.get('D01')!;
  const home = tree.filter((d) => d.level === 'team').at(-1)!; // the last team: outside both managed areas

  const work = await withTransaction(db, async ({ trx }) => {
    if (Number(have.n) === 0) {
      await timed(steps, 'departments', () => insertTree(trx, orgId, tree));
      // Statistics now (ANALYZE counts this transaction's own rows): the foreign-key checks of the million
      // membership rows below are planned on them, and on an "empty" departments table the planner picks
      // an index that scans every department per check (measured: minutes).
      await sql`analyze departments`.execute(trx);
    }
    const stored = await trx
      .selectFrom('departments')
      .select(['id', 'code'])
      .where('org_id', '=', orgId)
      .execute();
    const ids = new Map(stored.map((r) => [r.code ?? '', r.id]));
    const actors = await ensureActors(trx, orgId, now, ids.get(home.code)!);
    const excluded = [dataset.ownerId, ...Object.values(actors)];
    const notExcluded = sql`${sql.ref('user_id')} <> all(${excluded}::uuid[])`;
    const placed = await countOf(
      trx,
      'users',
      orgId,
      sql`primary_department_id is null and id <> all(${excluded}::uuid[])`,
    );
    // Also places the actors: their primary department is set, their membership rows are not yet.
    await placeUsers(trx, orgId, excluded, tree, ids, now, steps);
    const seedsManagers = (await countOf(trx, 'department_managers', orgId, notExcluded)) === 0;
    if (seedsManagers) await timed(steps, 'department_managers', () => seedManagers(trx, orgId, excluded));
    const memberships = await countOf(trx, 'user_departments', orgId);
    const historyRows = await countOf(trx, 'user_department_history', orgId);
    const managers = await countOf(trx, 'department_managers', orgId, notExcluded);
    const seededNow = Number(have.n) === 0 || placed > 0 || seedsManagers;
    const manages: Record<ActorKey, string[]> = {
      admin: [],
      managerHigh: [ids.get(directorate.code)!],
      managerMany: managedUnits.map((u) => ids.get(u.code)!),
    };
    for (const key of ['managerHigh', 'managerMany'] as const) {
      await trx
        .insertInto('department_managers')
        .values(manages[key].map((department_id) => ({ org_id: orgId, department_id, user_id: actors[key] })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    // The audit trail records the seeding once, like `users.seeded`.
    if (seededNow) {
      await recordAuditEvent(
        trx,
        orgId,
        { actor: { type: 'system', orgId, name: 'cli' }, meta: {}, now },
        {
          action: 'departments.seeded',
          targetType: 'organization',
          targetId: orgId,
          changes: { departments: tree.length, placed, memberships, historyRows, managers },
        },
      );
    }
    return { actors, manages, placed, memberships, historyRows, managers, ids, seededNow };
  });
  if (work.seededNow) {
    // The placement rewrote every users row: reclaim the dead versions so index scans stay tight.
    await timed(steps, 'vacuum analyze', async () => {
      for (const t of [
        'users',
        'departments',
        'department_managers',
        'user_departments',
        'user_department_history',
        'user_status_history',
      ]) {
        await sql`vacuum analyze ${sql.table(t)}`.execute(db);
      }
    });
    seeded = {
      departments: tree.length,
      placed: work.placed,
      memberships: work.memberships,
      historyRows: work.historyRows,
      managers: work.managers,
      milliseconds: Math.round(performance.now() - started),
      steps,
    };
  } else {
    await sql`analyze user_departments`.execute(db);
    await sql`analyze departments`.execute(db);
  }

  // An Organisation setting that keeps notices of the suspend/reactivate scenario to the owner: by
  // default every active administrator (5% of 1M seeded users) would get an email per change.
  await sql`update organizations set settings = jsonb_set(settings, '{notifications}',
      coalesce(settings->'notifications', '{}'::jsonb) || '{"adminRecipients": ["owner"]}'::jsonb)
    where id = ${orgId}`.execute(db);

  const targetUnit = work.ids.get(managedUnits[0]!.code)!;
  const unitPath = (
    await db.selectFrom('departments').select('path').where('id', '=', targetUnit).executeTakeFirstOrThrow()
  ).path;
  const targets = await sql<{
    id: string;
  }>`select u.id from users u join departments d on d.id = u.primary_department_id
    where u.org_id = ${orgId} and u.status = 'active' and u.role = 'viewer' and d.depth = 4
      and d.path like ${`${unitPath}%`} and u.id <> all(${[dataset.ownerId, ...Object.values(work.actors)]}::uuid[])
    order by u.id limit 4`.execute(db);
  const t = targets.rows.map((r) => r.id);
  if (t.length < 4)
    throw new Error(`need 4 active viewers under unit ${managedUnits[0]!.code}; found ${t.length}`);
  const actors = Object.fromEntries(
    (Object.keys(benchActors) as ActorKey[]).map((k) => [
      k,
      {
        id: work.actors[k],
        email: benchActors[k].email,
        password: benchActors[k].password,
        manages: work.manages[k],
      },
    ]),
  ) as DepartmentsDataset['actors'];
  return {
    departments: tree.length,
    seeded,
    picks: await pickDepartments(db, orgId, dataset.users, tree),
    actors,
    targets: { read: t[0]!, write: { admin: t[1]!, managerHigh: t[2]!, managerMany: t[3]! } },
  };
}
