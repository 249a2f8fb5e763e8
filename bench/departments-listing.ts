// Subtree member listing: the `users(filter: { departmentId, includeSubtree: true })` page for the whole
// organisation's root, a division of about 7% of the users and a team of about 200, first page and a deep
// page by cursor. Baseline: the same domain call (the same Kysely SQL) in this process; each scenario's SQL
// is also captured and EXPLAIN ANALYZEd, so a slow one shows why.
import { sql } from 'kysely';
import type { CommandContext } from '../src/domain/shared/context.js';
import { listUsers } from '../src/domain/users/list-users.js';
import { encodeUserCursor } from '../src/domain/users/user-cursor.js';
import type { Dataset } from './dataset.js';
import type { DepartmentsDataset } from './departments-dataset.js';
import type { PickedDepartment } from './departments-picks.js';
import { capturing, explainAll, type ExplainedQuery } from './explain.js';
import { httpRuns, post, timedPost, type HttpStats } from './http.js';
import { latencyStats, ratio, sequential, throughput, type LatencyStats } from './stats.js';
import type { BenchOptions } from './users-list.js';
import type { CompiledQuery } from 'kysely';

const pageSize = 50;
/** A first call slower than this misses the 50 ms target by 20x: measured one at a time only, since
 * concurrent copies of it would queue up in the database and spill into the next scenarios. */
const tooSlowMs = 1000;

export const usersQuery = `query Users($filter: UserFilter, $orderBy: UserOrder, $first: Int, $after: String) {
  users(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { id email displayName role status createdAt lastActiveAt } }
    pageInfo { hasNextPage endCursor }
    totalCount { value exact }
  }
}`;

export interface ListingScenario {
  name: string;
  department: PickedDepartment;
  after: string | null;
}

export interface ListingBaseline {
  /** One call, cold-ish, before the timed runs (a very slow plan shows here first). */
  firstCallMs: number;
  sequential: LatencyStats;
  /** null: not measured (too slow, see `tooSlowMs`). */
  requestsPerSecond: number | null;
  explain: ExplainedQuery[];
}

export interface ListingResult {
  name: string;
  department: Omit<PickedDepartment, 'path'>;
  variables: Record<string, unknown>;
  rowsOnPage: number;
  totalCount: unknown;
  baseline: ListingBaseline;
  /** atRate and saturated are null when the scenario is too slow to load (see `tooSlowMs`). */
  graphql: { sequential: HttpStats; atRate: HttpStats | null; saturated: HttpStats | null };
  ratios: { mean: number | null; p99: number | null; throughput: number | null };
}

/** A cursor halfway down the subtree's members in NAME order: found once with OFFSET. */
async function halfwayCursor(dataset: Dataset, d: PickedDepartment): Promise<string> {
  const { db } = dataset.runtime.services;
  const r = await sql<{ search_text: string; id: string }>`
    select u.search_text, u.id from users u
    where u.org_id = ${dataset.orgId} and exists (select 1 from user_departments ud
      join departments s on s.id = ud.department_id
      where ud.user_id = u.id and ud.org_id = ${dataset.orgId} and s.path like ${`${d.path}%`})
    order by u.search_text, u.id offset ${Math.floor(d.members / 2)} limit 1`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error(`no members to page through in ${d.code}`);
  return encodeUserCursor({ order: { field: 'NAME', direction: 'ASC' }, value: row.search_text, id: row.id });
}

export async function listingScenarios(
  dataset: Dataset,
  depts: DepartmentsDataset,
): Promise<ListingScenario[]> {
  const out: ListingScenario[] = [];
  const { root, division, team } = depts.picks;
  for (const [label, d] of [
    ['root (whole organisation)', root],
    ['division', division],
    ['team', team],
  ] as const) {
    const name = `${label} ${d.code}, ${d.members.toLocaleString('en')} members`;
    out.push({ name: `${name}: first page`, department: d, after: null });
    out.push({ name: `${name}: deep page (halfway)`, department: d, after: await halfwayCursor(dataset, d) });
  }
  return out;
}

export function listingVariables(s: ListingScenario): Record<string, unknown> {
  return {
    first: pageSize,
    after: s.after,
    orderBy: null,
    filter: { departmentId: s.department.id, includeSubtree: true },
  };
}

const listInput = (s: ListingScenario) => ({
  filter: { departmentId: s.department.id, includeSubtree: true },
  first: pageSize,
  after: s.after,
  includeTotalCount: true,
});

/** The in-process baseline of each scenario, with the EXPLAIN ANALYZE of the SQL it sends. */
export async function listingBaselines(
  ctx: CommandContext,
  list: ListingScenario[],
  o: BenchOptions,
  log: (line: string) => void,
): Promise<Map<string, ListingBaseline>> {
  const out = new Map<string, ListingBaseline>();
  for (const s of list) {
    const captured: CompiledQuery[] = [];
    const t0 = performance.now();
    await listUsers({ ...ctx, db: capturing(ctx.db, captured) }, listInput(s));
    const firstCallMs = Math.round((performance.now() - t0) * 100) / 100;
    const call = () => listUsers(ctx, listInput(s));
    // A plan that takes seconds would spend minutes in a 20-call warm-up.
    const seq = await sequential(o.baselineSeconds, call, firstCallMs > 200 ? 1 : 20);
    const rps = firstCallMs > tooSlowMs ? null : await throughput(o.baselineSeconds, o.connections, call);
    const explain = await explainAll(ctx.db, captured);
    out.set(s.name, { firstCallMs, sequential: seq, requestsPerSecond: rps, explain });
    log(
      `baseline  ${s.name}: first call ${firstCallMs} ms; mean ${seq.meanMs} ms, p50 ${seq.p50Ms} ms, ` +
        `p99 ${seq.p99Ms} ms, max ${seq.maxMs} ms; ${rps} calls/s; SQL: ` +
        explain.map((e) => `${e.executionMs} ms`).join(' + '),
    );
  }
  return out;
}

/**
 * One request at a time for `seconds`, at least 3, timed here: autocannon drops a request still running
 * when its duration ends, so a request slower than the run would leave no sample.
 */
async function slowSequential(url: string, token: string, body: string, seconds: number): Promise<HttpStats> {
  const ms: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (ms.length < 3 || performance.now() < end) ms.push(await timedPost(url, token, body));
  const s = latencyStats(ms);
  return {
    connections: 1,
    rate: null,
    meanMs: s.meanMs,
    p50Ms: s.p50Ms,
    p99Ms: s.p99Ms,
    maxMs: s.maxMs,
    requestsPerSecond: Math.round((ms.length / ms.reduce((a, b) => a + b, 0)) * 100_000) / 100,
    errors: 0,
  };
}

export async function listingOverHttp(
  url: string,
  token: string,
  list: ListingScenario[],
  baselines: Map<string, ListingBaseline>,
  o: BenchOptions,
  log: (line: string) => void,
): Promise<ListingResult[]> {
  const results: ListingResult[] = [];
  for (const s of list) {
    const variables = listingVariables(s);
    const check = await post(url, { query: usersQuery, variables }, token);
    const data = check.data as { users?: { edges: unknown[]; totalCount: unknown } } | undefined;
    if (check.errors || !data?.users) throw new Error(`${s.name}: ${JSON.stringify(check.errors)}`);
    const baseline = baselines.get(s.name) as ListingBaseline;
    const body = JSON.stringify({ query: usersQuery, variables });
    const graphql: ListingResult['graphql'] =
      baseline.firstCallMs > tooSlowMs
        ? { sequential: await slowSequential(url, token, body, o.duration), atRate: null, saturated: null }
        : await httpRuns(url, token, body, o);
    const { path: _path, ...department } = s.department;
    const r: ListingResult = {
      name: s.name,
      department,
      variables,
      rowsOnPage: data.users.edges.length,
      totalCount: data.users.totalCount,
      baseline,
      graphql,
      ratios: {
        mean: ratio(graphql.sequential.meanMs, baseline.sequential.meanMs),
        p99: ratio(graphql.sequential.p99Ms, baseline.sequential.p99Ms),
        throughput:
          graphql.saturated && baseline.requestsPerSecond
            ? ratio(graphql.saturated.requestsPerSecond, baseline.requestsPerSecond)
            : null,
      },
    };
    results.push(r);
    const { sequential: one, atRate, saturated } = graphql;
    log(
      `graphql   ${s.name}: one at a time p50 ${one.p50Ms} ms, p99 ${one.p99Ms} ms (mean x${r.ratios.mean} ` +
        `baseline); ` +
        (atRate && saturated
          ? `at ${o.rate} req/s (achieved ${atRate.requestsPerSecond}) p50 ${atRate.p50Ms} ms, p99 ` +
            `${atRate.p99Ms} ms, max ${atRate.maxMs} ms; saturated ${saturated.requestsPerSecond} req/s; ` +
            `errors ${one.errors + atRate.errors + saturated.errors}`
          : `too slow for the fixed-rate and saturated runs; errors ${one.errors}`),
    );
  }
  return results;
}
