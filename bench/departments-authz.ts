// What the scoped authorization check adds to a request: the same request made by an org-wide
// Administrator (the baseline) and by two Viewers whose manager scope reaches the target — one manages a
// directorate (high in the tree), one manages 20 units. Measured interleaved (admin, manager, manager,
// admin, ...) with microsecond timers, so noise hits every arm alike; the difference of p50 and p99 is the
// check's cost. Also in process: getUser per actor, and loadAccess + mayActOn on their own.
import { randomUUID } from 'node:crypto';
import type { RoleKey } from '../src/authz/roles.js';
import { mayActOn, type Access, type TargetUser } from '../src/authz/access.js';
import { loadAccess, targetUserOf } from '../src/authz/load-access.js';
import type { Actor, CommandContext } from '../src/domain/shared/context.js';
import { getUser } from '../src/domain/users/get-user.js';
import type { Dataset } from './dataset.js';
import { benchActors, type ActorKey, type DepartmentsDataset } from './departments-dataset.js';
import { timedPost } from './http.js';
import { interleaved, micro, sequential, type LatencyStats, type MicroStats } from './stats.js';

const arms: ActorKey[] = ['admin', 'managerHigh', 'managerMany'];
const armLabel: Record<ActorKey, string> = {
  admin: 'Administrator (org-wide)',
  managerHigh: 'Viewer managing a directorate',
  managerMany: 'Viewer managing 20 units',
};

export interface ArmComparison {
  /** Per arm; null when the arm was refused (the reason is in `refused`). */
  latency: Partial<Record<ActorKey, LatencyStats>>;
  /** Manager minus administrator, in ms. */
  addedMs: Partial<Record<ActorKey, { p50: number; p99: number; mean: number }>>;
  refused: Partial<Record<ActorKey, string>>;
}

export interface AuthzInProcess {
  loadAccess: Record<ActorKey, LatencyStats>;
  /** The query for the target's primary department path (what a manager-scoped check adds). */
  targetUserOf: LatencyStats;
  mayActOn: Record<ActorKey, MicroStats>;
  /** getUser(ctx, target) with a fresh context per call (as per request): the domain call alone. */
  getUser: ArmComparison;
}

export interface AuthzOverHttp {
  userQuery: ArmComparison;
  suspendReactivate: ArmComparison;
}

function actorOf(dataset: Dataset, depts: DepartmentsDataset, key: ActorKey): Actor {
  return {
    type: 'user',
    userId: depts.actors[key].id,
    orgId: dataset.orgId,
    role: benchActors[key].role as RoleKey,
    sessionId: randomUUID(),
  };
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function compare(latency: Partial<Record<ActorKey, LatencyStats>>, refused: ArmComparison['refused']) {
  const base = latency.admin;
  const addedMs: ArmComparison['addedMs'] = {};
  for (const k of arms) {
    const l = latency[k];
    if (!base || !l || k === 'admin') continue;
    addedMs[k] = {
      p50: round3(l.p50Ms - base.p50Ms),
      p99: round3(l.p99Ms - base.p99Ms),
      mean: round3(l.meanMs - base.meanMs),
    };
  }
  return { latency, addedMs, refused };
}

/** Runs the arms that are not refused (each tried once first), interleaved. */
async function compareArms(
  calls: Record<ActorKey, (() => Promise<unknown>)[]>,
  seconds: number,
): Promise<ArmComparison> {
  const refused: ArmComparison['refused'] = {};
  const running: { name: string; calls: (() => Promise<unknown>)[] }[] = [];
  for (const k of arms) {
    try {
      for (const c of calls[k]) await c();
      running.push({ name: k, calls: calls[k] });
    } catch (err) {
      refused[k] = (err as Error).message.slice(0, 300);
    }
  }
  const latency = running.length > 0 ? await interleaved(running, seconds) : {};
  return compare(latency as Partial<Record<ActorKey, LatencyStats>>, refused);
}

export async function authzInProcess(
  dataset: Dataset,
  depts: DepartmentsDataset,
  seconds: number,
  log: (line: string) => void,
): Promise<AuthzInProcess> {
  const services = dataset.runtime.services;
  const { db } = services;
  const actors = Object.fromEntries(arms.map((k) => [k, actorOf(dataset, depts, k)])) as Record<
    ActorKey,
    Actor
  >;
  const loadStats = {} as Record<ActorKey, LatencyStats>;
  const accesses = {} as Record<ActorKey, Access>;
  for (const k of arms) {
    loadStats[k] = await sequential(seconds, () => loadAccess(db, actors[k]));
    accesses[k] = await loadAccess(db, actors[k]);
    log(
      `loadAccess ${armLabel[k]} (${accesses[k].managed.length} managed): p50 ${loadStats[k].p50Ms} ms, ` +
        `p99 ${loadStats[k].p99Ms} ms`,
    );
  }
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', dataset.orgId)
    .where('id', '=', depts.targets.read)
    .executeTakeFirstOrThrow();
  const targetStats = await sequential(seconds, () => targetUserOf(db, row));
  const target: TargetUser = await targetUserOf(db, row);
  log(`targetUserOf (primary department path): p50 ${targetStats.p50Ms} ms, p99 ${targetStats.p99Ms} ms`);
  const microStats = {} as Record<ActorKey, MicroStats>;
  for (const k of arms) {
    const access = accesses[k];
    if (k !== 'admin' && !mayActOn(access, 'users:suspend', target, 'write')) {
      throw new Error(`${k} does not reach the target: the dataset is wrong`);
    }
    microStats[k] = micro(() => mayActOn(access, 'users:suspend', target, 'write'));
    log(`mayActOn ${armLabel[k]}: p50 ${microStats[k].p50Ns} ns, p99 ${microStats[k].p99Ns} ns`);
  }
  const ctxOf = (k: ActorKey): CommandContext => ({ ...services, actor: actors[k], meta: {} });
  const getUserArms = Object.fromEntries(
    arms.map((k) => [k, [() => getUser(ctxOf(k), depts.targets.read)]]),
  ) as Record<ActorKey, (() => Promise<unknown>)[]>;
  const getUserStats = await compareArms(getUserArms, seconds);
  log(`getUser in process: ${describe(getUserStats)}`);
  return { loadAccess: loadStats, targetUserOf: targetStats, mayActOn: microStats, getUser: getUserStats };
}

const userQuery = `query($id: ID!) { user(id: $id) { id email displayName role status } }`;
const suspendMutation = `mutation($input: SuspendUserInput!) {
  suspendUser(input: $input) { user { id status } userErrors { code message } } }`;
const reactivateMutation = `mutation($input: ReactivateUserInput!) {
  reactivateUser(input: $input) { user { id status } userErrors { code message } } }`;

export async function authzOverHttp(
  url: string,
  tokens: Record<ActorKey, string>,
  depts: DepartmentsDataset,
  seconds: number,
  log: (line: string) => void,
): Promise<AuthzOverHttp> {
  const body = (query: string, variables: object) => JSON.stringify({ query, variables });
  const read = body(userQuery, { id: depts.targets.read });
  const userQueryArms = Object.fromEntries(
    arms.map((k) => [k, [() => timedPost(url, tokens[k], read)]]),
  ) as Record<ActorKey, (() => Promise<unknown>)[]>;
  const userStats = await compareArms(userQueryArms, seconds);
  log(`user(id) over HTTP: ${describe(userStats)}`);

  // Each arm suspends and reactivates its own target, so the arms never collide.
  const pairArms = {} as Record<ActorKey, (() => Promise<unknown>)[]>;
  for (const k of arms) {
    const userId = depts.targets.write[k];
    const suspend = body(suspendMutation, { input: { userId, reason: 'Benchmark: scoped suspension' } });
    const reactivate = body(reactivateMutation, { input: { userId } });
    pairArms[k] = [() => timedPost(url, tokens[k], suspend), () => timedPost(url, tokens[k], reactivate)];
  }
  const pairStats = await compareArms(pairArms, seconds);
  log(`suspendUser/reactivateUser over HTTP: ${describe(pairStats)}`);
  return { userQuery: userStats, suspendReactivate: pairStats };
}

export function describe(c: ArmComparison): string {
  const parts = arms.map((k) => {
    const l = c.latency[k];
    if (!l) return `${armLabel[k]}: REFUSED (${c.refused[k] ?? 'not run'})`;
    const add = c.addedMs[k];
    return (
      `${armLabel[k]} p50 ${l.p50Ms} / p99 ${l.p99Ms} ms` +
      (add ? ` (adds p50 ${add.p50} / p99 ${add.p99} ms)` : '')
    );
  });
  return parts.join('; ');
}
