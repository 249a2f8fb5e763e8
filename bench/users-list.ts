// The user list benchmark: first page, a deep page by cursor, a status+role filter and three searches over
// N users, measured (a) as the GraphQL `users` query over HTTP with autocannon against a server in its own
// process, and (b) as the same domain call — the same Kysely SQL — in this process, as the same-run baseline.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { CommandContext } from '../src/domain/shared/context.js';
import { countUsers } from '../src/domain/users/count-users.js';
import { listUsers } from '../src/domain/users/list-users.js';
import { encodeUserCursor, type UserOrder } from '../src/domain/users/user-cursor.js';
import type { UserFilterInput } from '../src/domain/users/user-filter.js';
import { benchOwner, prepareDataset, type BenchTarget, type Dataset } from './dataset.js';
import { httpRuns, post, signIn, startServer, type HttpStats } from './http.js';
import { ratio, sequential, throughput, type LatencyStats } from './stats.js';

export interface BenchOptions {
  /** Seconds of each autocannon run. */
  duration: number;
  /** Seconds of each baseline measurement. */
  baselineSeconds: number;
  /** The fixed request rate at which latency is measured (performance.md: p99 at 200 req/s). */
  rate: number;
  /** Connections of the throughput run (and in-flight calls of the baseline's). */
  connections: number;
}

interface Scenario {
  name: string;
  filter?: UserFilterInput;
  orderBy?: UserOrder;
  after?: string;
}

const pageSize = 50;

const usersQuery = `query Users($filter: UserFilter, $orderBy: UserOrder, $first: Int, $after: String) {
  users(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { id email displayName role status createdAt lastActiveAt } }
    pageInfo { hasNextPage endCursor }
    totalCount { value exact }
  }
}`;

/** A cursor halfway down the NAME list: read once with OFFSET, which the list itself never uses. */
async function deepCursor(dataset: Dataset): Promise<string> {
  const { db } = dataset.runtime.services;
  const r = await sql<{ search_text: string; id: string }>`
    select search_text, id from users where org_id = ${dataset.orgId}
    order by search_text, id offset ${Math.floor(dataset.users / 2)} limit 1`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error('no users to page through');
  return encodeUserCursor({ order: { field: 'NAME', direction: 'ASC' }, value: row.search_text, id: row.id });
}

function scenarios(deep: string): Scenario[] {
  return [
    { name: 'list: first page (name order)' },
    { name: 'list: deep page by cursor (halfway)', after: deep },
    {
      name: 'filter: suspended investigators, newest first',
      filter: { status: ['suspended'], role: ['investigator'] },
      orderBy: { field: 'CREATED_AT', direction: 'DESC' },
    },
    {
      name: 'filter: active administrators (name order)',
      filter: { status: ['active'], role: ['administrator'] },
    },
    { name: 'search: surname "kowalski"', filter: { search: 'kowalski' } },
    { name: 'search: first name "maria"', filter: { search: 'maria' } },
    { name: 'search: email fragment "garcia12"', filter: { search: 'garcia12' } },
  ];
}

/** The GraphQL variables of a scenario: enum values are upper case there. */
function variablesOf(s: Scenario): Record<string, unknown> {
  const f = s.filter;
  return {
    first: pageSize,
    after: s.after ?? null,
    orderBy: s.orderBy ?? null,
    filter: f
      ? {
          ...f,
          status: f.status?.map((v) => v.toUpperCase()),
          role: f.role?.map((v) => v.toUpperCase()),
        }
      : null,
  };
}

export function ownerContext(dataset: Dataset): CommandContext {
  return {
    ...dataset.runtime.services,
    actor: {
      type: 'user',
      userId: dataset.ownerId,
      orgId: dataset.orgId,
      role: 'owner',
      sessionId: randomUUID(),
    },
    meta: {},
  };
}

export interface ScenarioResult {
  name: string;
  variables: Record<string, unknown>;
  rowsOnPage: number;
  totalCount: unknown;
  graphql: { sequential: HttpStats; atRate: HttpStats; saturated: HttpStats };
  baseline: { sequential: LatencyStats; requestsPerSecond: number };
  /** GraphQL over HTTP / the same call in process: one request at a time (mean, p99), and saturated. */
  ratios: { mean: number | null; p99: number | null; throughput: number | null };
}

export interface CountResult {
  name: string;
  value: unknown;
  sequential: LatencyStats;
}

export interface TargetResult {
  kind: BenchTarget['kind'];
  users: number;
  seeded: Dataset['seeded'];
  scenarios: ScenarioResult[];
  /** In process only (the list screens' count is the `totalCount` already inside the scenarios above). */
  counts: CountResult[];
}

/** The counts on their own: the fast one (planner estimate) and the exact one, unfiltered and filtered. */
async function benchCounts(ctx: CommandContext, seconds: number, log: (line: string) => void) {
  const cases: [string, Parameters<typeof countUsers>[1]][] = [
    ['totalCount (estimate), no filter', {}],
    ['totalCount (estimate), status suspended', { filter: { status: ['suspended'] } }],
    ['exactTotalCount, no filter', { exact: true }],
    ['exactTotalCount, status suspended', { filter: { status: ['suspended'] }, exact: true }],
  ];
  const out: CountResult[] = [];
  for (const [name, input] of cases) {
    const value = await countUsers(ctx, input);
    const sequentialStats = await sequential(seconds, () => countUsers(ctx, input));
    out.push({ name, value, sequential: sequentialStats });
    log(
      `[count]    ${name}: ${JSON.stringify(value)}; mean ${sequentialStats.meanMs} ms, ` +
        `p99 ${sequentialStats.p99Ms} ms`,
    );
  }
  return out;
}

export async function benchUsersList(
  target: BenchTarget,
  users: number,
  o: BenchOptions,
  log: (line: string) => void,
): Promise<TargetResult> {
  log(`[${target.kind}] preparing ${users} users...`);
  const dataset = await prepareDataset(target, users);
  if (dataset.seeded) {
    const s = dataset.seeded;
    log(
      `[${target.kind}] seeded ${s.inserted} users in ${(s.milliseconds / 1000).toFixed(1)} s (${s.rowsPerSecond} rows/s)`,
    );
  } else log(`[${target.kind}] reusing ${dataset.users} users already there`);

  const list = scenarios(await deepCursor(dataset));
  const ctx = ownerContext(dataset);
  const baselines = new Map<string, ScenarioResult['baseline']>();
  for (const s of list) {
    const call = () =>
      listUsers(ctx, {
        filter: s.filter,
        orderBy: s.orderBy,
        first: pageSize,
        after: s.after,
        includeTotalCount: true,
      });
    const seq = await sequential(o.baselineSeconds, call);
    const rps = await throughput(o.baselineSeconds, o.connections, call);
    baselines.set(s.name, { sequential: seq, requestsPerSecond: rps });
    log(
      `[${target.kind}] baseline  ${s.name}: mean ${seq.meanMs} ms, p50 ${seq.p50Ms} ms, p99 ${seq.p99Ms} ms, ` +
        `max ${seq.maxMs} ms; ${rps} calls/s`,
    );
  }
  const counts = await benchCounts(ctx, o.baselineSeconds, (line) => log(`[${target.kind}] ${line}`));
  // The embedded database is one process's: let go of it before the server opens it.
  await dataset.runtime.close();

  const server = await startServer(target);
  const results: ScenarioResult[] = [];
  try {
    const token = await signIn(server.url, benchOwner);
    for (const s of list) {
      const variables = variablesOf(s);
      const body = JSON.stringify({ query: usersQuery, variables });
      const check = await post(server.url, { query: usersQuery, variables }, token);
      const data = check.data as { users?: { edges: unknown[]; totalCount: unknown } } | undefined;
      if (check.errors || !data?.users) throw new Error(`${s.name}: ${JSON.stringify(check.errors)}`);
      const { sequential: sequentialHttp, atRate, saturated } = await httpRuns(server.url, token, body, o);
      const baseline = baselines.get(s.name) as ScenarioResult['baseline'];
      const r: ScenarioResult = {
        name: s.name,
        variables,
        rowsOnPage: data.users.edges.length,
        totalCount: data.users.totalCount,
        graphql: { sequential: sequentialHttp, atRate, saturated },
        baseline,
        ratios: {
          mean: ratio(sequentialHttp.meanMs, baseline.sequential.meanMs),
          p99: ratio(sequentialHttp.p99Ms, baseline.sequential.p99Ms),
          throughput: ratio(saturated.requestsPerSecond, baseline.requestsPerSecond),
        },
      };
      results.push(r);
      log(
        `[${target.kind}] graphql   ${s.name}: one at a time mean ${sequentialHttp.meanMs} ms, p99 ` +
          `${sequentialHttp.p99Ms} ms (x${r.ratios.mean} / x${r.ratios.p99} baseline); at ${o.rate} req/s ` +
          `(achieved ${atRate.requestsPerSecond}) p50 ` +
          `${atRate.p50Ms} ms, p99 ${atRate.p99Ms} ms, max ${atRate.maxMs} ms; saturated ` +
          `${saturated.requestsPerSecond} req/s (x${r.ratios.throughput}, p99 ${saturated.p99Ms} ms); ` +
          `errors ${sequentialHttp.errors + atRate.errors + saturated.errors}`,
      );
    }
  } finally {
    await server.stop();
  }
  return { kind: target.kind, users: dataset.users, seeded: dataset.seeded, scenarios: results, counts };
}
