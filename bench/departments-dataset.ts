// The departments benchmark's data, on top of the users dataset (bench/dataset.ts): the 5,000-department
// tree of departments-tree.ts, every seeded user placed in a primary department (about 10% also in a
// secondary one) with membership history, a manager for every department, and three people who sign in:
// an org-wide Administrator and two Viewers who manage departments (one a directorate, one 20 units).
// Set-based SQL throughout (INSERT/UPDATE ... SELECT over hash buckets of the user id, no row-by-row work).
// Reused across runs: each step only does what is missing.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import { writeSeatCheckpoint } from '../src/domain/reports/cost-seats.js';
import { withTransaction, type Tx } from '../src/db/transaction.js';
import { recordAuditEvent } from '../src/domain/audit/record-audit-event.js';
import { hashPassword } from '../src/domain/security/password-hash.js';
import { normalizeEmail, searchTextOf } from '../src/domain/users/user-record.js';
import type { Dataset } from './dataset.js';
import { countOf, insertTree, placeUsers, seedManagers, timed } from './departments-placement.js';
import { pickDepartments, type PickedDepartment } from './departments-picks.js';
import { generateTree } from './departments-tree.js';

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

/** What a seeding run did; counts are the organisation's totals after it, `placed` this run's users. */
export interface SeedDepartmentsResult {
  departments: number;
  placed: number;
  memberships: number;
  historyRows: number;
  /** Seeded managers (the bench actors not counted). */
  managers: number;
  milliseconds: number;
  /** Milliseconds per statement. */
  steps: Record<string, number>;
}

export interface DepartmentsDataset {
  departments: number;
  seeded: SeedDepartmentsResult | null;
  picks: { root: PickedDepartment; division: PickedDepartment; team: PickedDepartment };
  actors: Record<ActorKey, { id: string; email: string; password: string; manages: string[] }>;
  /** Active Viewers in a team under the first managed unit (depth 4): in every manager's scope. */
  targets: { read: string; write: Record<ActorKey, string> };
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
 * The cost report's seat ledger as a running system would have it: the placement above fired the ledger
 * trigger but the history was then written directly, so the ledger is rebuilt from the histories (what the
 * migration does), then the daily checkpoints of the last 60 days that the scheduled task
 * `checkpoint-seat-ledgers` would have written are added.
 */
async function prepareSeatLedger(
  db: Kysely<DB>,
  orgId: string,
  now: Date,
  rebuild: boolean,
  steps: Record<string, number>,
): Promise<void> {
  const cp = await db
    .selectFrom('seat_checkpoints')
    .select(sql<number>`count(distinct at)::int`.as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  if (rebuild || Number(cp.n) === 0) {
    await timed(steps, 'seat ledger rebuild', () =>
      sql`select rebuild_seat_ledger(${orgId}::uuid, ${now}::timestamptz)`.execute(db),
    );
  }
  if (rebuild || Number(cp.n) < 2) {
    await timed(steps, 'seat checkpoints (60 days)', async () => {
      for (let d = 1; d <= 60; d++)
        await writeSeatCheckpoint(db, orgId, new Date(now.getTime() - d * 86_400_000));
    });
    await sql`analyze seat_ledger`.execute(db);
    await sql`analyze seat_checkpoints`.execute(db);
  }
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
  await prepareSeatLedger(db, orgId, now, work.seededNow, steps);

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
