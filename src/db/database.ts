import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteWorkerClient } from './pglite/client.js';
import { lockDataDir, type DataDirLock } from './pglite/data-dir-lock.js';
import { PGliteWorkerDialect } from './pglite/dialect.js';
import type { DB } from './schema.js';

// int8 (counts, audit sequence numbers) and numeric as JavaScript numbers, as on the embedded database.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/** Runs raw SQL outside Kysely, as the job queue needs (`executeSql` of pg-boss). */
export type RawExecutor = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

export interface Database {
  kind: 'postgres' | 'pglite';
  db: Kysely<DB>;
  raw: RawExecutor;
  /** Subscribes to a NOTIFY channel (PostgreSQL only: the embedded database is one process). */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** A gzip tarball of the embedded database (test templates). */
  dump?: () => Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  poolSize?: number;
  /** Embedded database folder; `memory` keeps it in memory. */
  dataDir?: string;
  loadDataDirFrom?: string;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPGlite(options);
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'roster' });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const listeners = new Set<pg.Client>();
  return {
    kind: 'postgres',
    db,
    raw: async (sql, params) => {
      const r = await pool.query(sql, params);
      return { rows: r.rows };
    },
    async listen(channel, onPayload) {
      const client = new pg.Client({ connectionString: url, application_name: 'roster-listen' });
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
      });
      client.on('error', () => {
        // Surfaced by the owner's reconnect logic through the periodic reconciliation.
      });
      await client.query(`listen "${channel.replace(/"/g, '')}"`);
      listeners.add(client);
      return async () => {
        listeners.delete(client);
        await client.end().catch(() => undefined);
      };
    },
    async close() {
      await Promise.all([...listeners].map((c) => c.end().catch(() => undefined)));
      await db.destroy();
    },
  };
}

/** The embedded database's folder exists but PGlite cannot open it (e.g. written by two processes at once). */
export class DataDirUnreadableError extends Error {
  override name = 'DataDirUnreadableError';
  constructor(
    readonly dataDir: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const aside = `${dataDir}.broken-${new Date().toISOString().slice(0, 10)}`;
    super(
      `the embedded database in ${dataDir} could not be opened (${reason}).\n` +
        `This usually means it was damaged: two processes wrote to it at once (before Roster locked the\n` +
        `folder), or the disk filled up or the machine lost power mid-write. Roster cannot repair it.\n` +
        `To recover: stop every Roster process, keep the damaged folder for inspection and restore your\n` +
        `last backup of it (copied while Roster was stopped), or start afresh:\n` +
        `  mv ${dataDir} ${aside}\n` +
        `The next start creates a new, empty database in its place.`,
      { cause },
    );
  }
}

async function openPGlite(options: DatabaseOptions): Promise<Database> {
  let dataDir: string | undefined;
  let lock: DataDirLock | undefined;
  if (options.dataDir && options.dataDir !== 'memory') {
    dataDir = resolve(options.dataDir, 'pglite');
    mkdirSync(dataDir, { recursive: true });
    // Before PGlite touches the folder: a second process would corrupt it (data-dir-lock.ts).
    lock = lockDataDir(dataDir);
  }
  let client: PGliteWorkerClient;
  try {
    client = await PGliteWorkerClient.start({ dataDir, loadDataDirFrom: options.loadDataDirFrom });
  } catch (err) {
    lock?.release();
    throw dataDir ? new DataDirUnreadableError(dataDir, err) : err;
  }
  const db = new Kysely<DB>({ dialect: new PGliteWorkerDialect(client) });
  return {
    kind: 'pglite',
    db,
    raw: async (sql, params) => {
      const release = await client.exclusive();
      try {
        return params && params.length > 0 ? await client.query(sql, params) : await client.exec(sql);
      } finally {
        release();
      }
    },
    async listen() {
      return async () => undefined;
    },
    dump: () => client.dump(),
    async close() {
      try {
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}
