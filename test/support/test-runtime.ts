import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { ManualClock } from '../../src/domain/shared/clock.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';

export interface TestRuntime extends Runtime {
  clock: ManualClock;
  config: Config;
  /** Which database the tests run on, for messages. */
  backend: 'postgres' | 'pglite';
  /** The connection string of the test's own schema (PostgreSQL only), for child processes. */
  databaseUrl?: string | undefined;
}

export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: 'https://roster.test',
    LOG_LEVEL: 'silent',
    // Tests that want audit checkpoints pass a folder of their own; none lands in ./data.
    AUDIT_CHECKPOINT_DIR: 'none',
    ROSTER_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    ...overrides,
  });
}

/**
 * A database of the test file's own: on PostgreSQL (TEST_DATABASE_URL) a fresh schema, on the embedded
 * database a fresh in-memory copy of the migrated template.
 */
export async function openTestDatabase(): Promise<{
  database: Database;
  url?: string;
  drop(): Promise<void>;
}> {
  const base = process.env.TEST_DATABASE_URL;
  if (base) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const url = new URL(base);
    url.searchParams.set('options', `-c search_path=${schema},public`);
    const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 8 });
    return {
      database,
      url: url.toString(),
      async drop() {
        await database.close();
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`drop schema ${schema} cascade`);
        await c.end();
      },
    };
  }
  const database = await openDatabase({ dataDir: 'memory', loadDataDirFrom: inject('pgliteTemplate') });
  return { database, drop: () => database.close() };
}

export async function openTestRuntime(overrides: NodeJS.ProcessEnv = {}): Promise<TestRuntime> {
  const { database, drop, url } = await openTestDatabase();
  const clock = new ManualClock(new Date());
  const config = testConfig(overrides);
  const runtime = await createRuntime(config, { database, clock, logger: pino({ level: 'silent' }) });
  return {
    ...runtime,
    clock,
    config,
    backend: database.kind,
    databaseUrl: url,
    async close() {
      await runtime.services.revocations.stop();
      await drop().catch(() => undefined);
    },
  };
}
