// The cost report for the whole organisation (src/domain/reports/cost-report.ts), as of now and as of 30
// days ago (both read from the seat ledger and its checkpoints): the domain call in process, the GraphQL
// `costReport` query and the CSV export over HTTP. Baseline: the raw grouped SQL alone — seats per
// (primary department, status) from the users rows, or from the status and membership intervals that
// contain the date — written here, independent of how the report computes it. The report's own steps
// (its seat step, loading the tree, the rollup) are timed apart, to show where the time goes.
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import type { CommandContext } from '../src/domain/shared/context.js';
import { costReport } from '../src/domain/reports/cost-report.js';
import { costRollup } from '../src/domain/reports/cost-rollup.js';
import { seatCounts } from '../src/domain/reports/cost-seats.js';
import { capturing, explainAll, type ExplainedQuery } from './explain.js';
import { load, post, type HttpStats } from './http.js';
import { ratio, sequential, type LatencyStats } from './stats.js';

const day = 86_400_000;

export interface CostCase {
  name: string;
  asOf: Date | null;
}

export interface CostInProcess {
  name: string;
  asOf: string | null;
  source: string;
  departments: number;
  totals: unknown;
  /** The raw grouped SQL alone (baseline). */
  baselineSql: LatencyStats;
  baselineRows: number;
  /** The report's seat step (seatCounts: the nearest ledger checkpoint and the events since). */
  seatStep: LatencyStats;
  seatRows: number;
  /** Loading the whole tree (5,000 rows), as the report does. */
  departmentsQuery: LatencyStats;
  /** costRollup alone, in memory (the arithmetic, the inheritance, the sort by name path). */
  rollup: LatencyStats;
  /** costReport(ctx, { asOf }): seat query + the tree + the rollup. */
  report: LatencyStats;
  ratioP99: number | null;
  explain: ExplainedQuery[];
}

export interface CostOverHttp {
  name: string;
  graphql: HttpStats;
  responseBytes: number;
  csv: HttpStats | null;
  csvBytes: number | null;
}

export function costCases(now: Date): CostCase[] {
  return [
    { name: 'as of now', asOf: null },
    // Half a day from the nearest daily checkpoint: the most events a past date has to read.
    { name: 'as of 30.5 days ago', asOf: new Date(now.getTime() - 30.5 * day) },
  ];
}

const seatStatuses = ['active', 'suspended', 'invited'];

/** Seats per (primary department, status) now or at `asOf`, in one grouped statement. */
function rawGroupedSql(db: Kysely<DB>, orgId: string, asOf: Date | null) {
  if (!asOf) {
    return sql`select primary_department_id, status, count(*)::int as seats from users
      where org_id = ${orgId} and primary_department_id is not null and status = any(${seatStatuses}::text[])
      group by primary_department_id, status`.execute(db);
  }
  return sql`select p.department_id, s.status, count(*)::int as seats
    from user_status_history s join user_department_history p on p.user_id = s.user_id
    where s.org_id = ${orgId} and s.status = any(${seatStatuses}::text[])
      and s.valid_from <= ${asOf} and (s.valid_to is null or s.valid_to > ${asOf})
      and p.org_id = ${orgId} and p.is_primary
      and p.valid_from <= ${asOf} and (p.valid_to is null or p.valid_to > ${asOf})
    group by p.department_id, s.status`.execute(db);
}

export async function costInProcess(
  ctx: CommandContext,
  cases: CostCase[],
  seconds: number,
  log: (line: string) => void,
): Promise<CostInProcess[]> {
  const out: CostInProcess[] = [];
  for (const c of cases) {
    const seats = () => seatCounts(ctx.db, ctx.actor.orgId, c.asOf, null);
    const raw = () => rawGroupedSql(ctx.db, ctx.actor.orgId, c.asOf);
    const baselineRows = (await raw()).rows.length;
    const baselineSql = await sequential(seconds, raw, 3);
    const seatRowsList = await seats();
    const seatRows = seatRowsList.length;
    const seatStep = await sequential(seconds, seats, 3);
    const loadTree = () =>
      ctx.db
        .selectFrom('departments')
        .selectAll()
        .where('org_id', '=', ctx.actor.orgId)
        .orderBy('path')
        .execute();
    const tree = await loadTree();
    const departmentsQuery = await sequential(seconds, loadTree, 3);
    const rollup = await sequential(
      seconds,
      async () => costRollup({ departments: tree, seats: seatRowsList }),
      3,
    );
    const input = { asOf: c.asOf };
    const captured: CompiledQuery[] = [];
    const first = await costReport({ ...ctx, db: capturing(ctx.db, captured) }, input);
    const report = await sequential(seconds, () => costReport(ctx, input), 3);
    const explain = await explainAll(ctx.db, captured);
    const r: CostInProcess = {
      name: c.name,
      asOf: c.asOf?.toISOString() ?? null,
      source: first.source,
      departments: first.departments.length,
      totals: first.totals,
      baselineSql,
      baselineRows,
      seatStep,
      seatRows,
      departmentsQuery,
      rollup,
      report,
      ratioP99: ratio(report.p99Ms, baselineSql.p99Ms),
      explain,
    };
    out.push(r);
    log(
      `cost report ${c.name} (${r.source}, ${r.departments} departments, ${seatRows} seat rows): raw SQL ` +
        `p50 ${baselineSql.p50Ms} / p99 ${baselineSql.p99Ms} ms; seat step p50 ${seatStep.p50Ms} / p99 ` +
        `${seatStep.p99Ms} ms; costReport p50 ${report.p50Ms} / p99 ` +
        `${report.p99Ms} ms (tree p50 ${departmentsQuery.p50Ms} ms, rollup p50 ${rollup.p50Ms} ms); SQL: ${explain.map((e) => `${e.executionMs} ms`).join(' + ')}`,
    );
  }
  return out;
}

const figures = 'active suspended invited billable monthlyCost';
export const costReportQuery = `query Cost($asOf: DateTime) {
  costReport(asOf: $asOf) {
    asOf
    totals { ${figures} }
    costCentres { costCentre departmentCount figures { ${figures} } }
    departments {
      department { id name code }
      namePath
      own { ${figures} }
      subtree { ${figures} }
      rate
      costCentre
    }
  }
}`;

export async function costOverHttp(
  url: string,
  token: string,
  cases: CostCase[],
  seconds: number,
  log: (line: string) => void,
): Promise<CostOverHttp[]> {
  const out: CostOverHttp[] = [];
  for (const c of cases) {
    const variables = { asOf: c.asOf?.toISOString() ?? null };
    const check = await post(url, { query: costReportQuery, variables }, token);
    if (check.errors) throw new Error(`costReport ${c.name}: ${JSON.stringify(check.errors)}`);
    const responseBytes = JSON.stringify(check).length;
    const body = JSON.stringify({ query: costReportQuery, variables });
    await load(url, token, body, 1, 2); // warm-up
    const graphql = await load(url, token, body, 1, seconds);
    // The CSV export (audited per download) of the same report, by department.
    const csvUrl = new URL('/api/reports/cost.csv', url);
    csvUrl.searchParams.set('by', 'department');
    if (c.asOf) csvUrl.searchParams.set('asOf', c.asOf.toISOString());
    let csv: HttpStats | null = null;
    let csvBytes: number | null = null;
    const probe = await fetch(csvUrl, { headers: { authorization: `Bearer ${token}` } });
    if (probe.ok) {
      csvBytes = (await probe.arrayBuffer()).byteLength;
      csv = await load(csvUrl.toString(), token, null, 1, seconds);
    } else log(`cost report CSV ${c.name}: HTTP ${probe.status}, skipped`);
    out.push({ name: c.name, graphql, responseBytes, csv, csvBytes });
    log(
      `cost report over HTTP ${c.name}: GraphQL p50 ${graphql.p50Ms} / p99 ${graphql.p99Ms} ms ` +
        `(${Math.round(responseBytes / 1024)} KiB)` +
        (csv
          ? `; CSV p50 ${csv.p50Ms} / p99 ${csv.p99Ms} ms (${Math.round((csvBytes ?? 0) / 1024)} KiB)`
          : ''),
    );
  }
  return out;
}
