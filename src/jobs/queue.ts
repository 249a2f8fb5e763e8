import PgBoss from 'pg-boss';
import type { Database } from '../db/database.js';

/** pg-boss keeps its tables in a schema of its own, away from the application's migrations. */
export const defaultJobSchema = 'pgboss';

export interface JobQueueOptions {
  /** pg-boss's schema; tests on a shared PostgreSQL use one per test file. */
  schema?: string;
  /** How often an idle worker looks for new jobs (pg-boss polls; 0.5 s at least). */
  pollingIntervalSeconds?: number;
}

/**
 * pg-boss's custom `db` adapter over our own connection, on both databases. On PGlite this is the only
 * way in (one connection, taken per statement through `Database.raw`, so the queue queues behind Kysely
 * transactions instead of running inside them); on PostgreSQL it shares the application's pool, so one
 * setting (DATABASE_POOL_SIZE) bounds the connections a process opens.
 *
 * The adapter counts statements in flight: pg-boss does not await some of its own writes (it completes a
 * job without waiting), so stopping waits for them before the database is closed under them.
 */
export class JobQueueConnection implements PgBoss.Db {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly database: Database) {}

  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    if (this.closed) return Promise.reject(new Error('the job queue is stopped'));
    // Without values, Database.raw runs the text as a simple query, so pg-boss's multi-statement
    // schema creation and migrations work on PGlite too.
    const p = this.database.raw(text, values);
    this.inFlight.add(p);
    const forget = () => this.inFlight.delete(p);
    p.then(forget, forget);
    return p;
  }

  /** Waits (bounded) for statements in flight, then refuses new ones. */
  async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.inFlight]),
        new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
      ]);
    }
    this.closed = true;
  }
}

export function createJobQueue(
  database: Database,
  options: JobQueueOptions = {},
): { boss: PgBoss; connection: JobQueueConnection } {
  const connection = new JobQueueConnection(database);
  const boss = new PgBoss({
    db: connection,
    schema: options.schema ?? defaultJobSchema,
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
  });
  return { boss, connection };
}

/**
 * Creates pg-boss's schema and tables as the connection's role (the schema owner's, at migration time),
 * when they are absent. With a separate runtime role, which may not create schemas, the migration then
 * hands the schema to that role (roster_grant_runtime_role) and pg-boss maintains it from there.
 */
export async function installJobSchema(
  database: Database,
  schema: string = defaultJobSchema,
): Promise<boolean> {
  const r = await database.raw('select to_regclass($1)::text as t', [`${schema}.version`]);
  if (r.rows[0]?.t) return false;
  await database.raw(PgBoss.getConstructionPlans(schema));
  return true;
}
