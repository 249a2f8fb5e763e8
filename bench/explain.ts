// Why a scenario is slow: capture the SQL a domain call sends through Kysely (a plugin compiles each query
// with the database's own compiler, so it is byte-for-byte what runs), then EXPLAIN ANALYZE each statement.
import { CompiledQuery, type Kysely, type KyselyPlugin } from 'kysely';
import type { DB } from '../src/db/schema.js';

/**
 * A view of `db` that records every Kysely-built query it RUNS, in order. A query only compiled (e.g. to be
 * wrapped in a raw EXPLAIN for an estimate) is not recorded: plugins see compilation and results apart, so a
 * query counts once its result comes back. Raw `sql` is not seen.
 */
export function capturing(db: Kysely<DB>, sink: CompiledQuery[]): Kysely<DB> {
  const compiled = new Map<unknown, CompiledQuery>();
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      compiled.set(args.queryId, db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => {
      const q = compiled.get(args.queryId);
      if (q) sink.push(q);
      return args.result;
    },
  };
  return db.withPlugin(plugin);
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export interface ExplainedQuery {
  sql: string;
  executionMs: number | null;
  planningMs: number | null;
  plan: string[];
}

/** EXPLAIN (ANALYZE, BUFFERS) of each captured SELECT (writes are skipped: ANALYZE would run them). */
export async function explainAll(
  db: Kysely<DB>,
  queries: readonly CompiledQuery[],
): Promise<ExplainedQuery[]> {
  const out: ExplainedQuery[] = [];
  for (const q of queries) {
    if (!/^\s*(with|select)\b/i.test(q.sql)) continue;
    const r = await db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]),
    );
    // A filter on a long array literal (thousands of ids) would print it whole: keep the start of each line.
    const plan = r.rows.map((row) => clip(row['QUERY PLAN'], 400));
    const ms = (label: string) => {
      const line = plan.find((l) => l.startsWith(label));
      const m = line?.match(/([\d.]+) ms/);
      return m ? Number(m[1]) : null;
    };
    out.push({
      sql: clip(q.sql, 4000),
      executionMs: ms('Execution Time'),
      planningMs: ms('Planning Time'),
      plan,
    });
  }
  return out;
}
