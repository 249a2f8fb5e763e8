import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface PGliteWorkerOptions {
  /** Folder of the database; in memory when absent. */
  dataDir?: string;
  /** A gzip tarball made by `dump()`, loaded when the database is created (tests use it as a template). */
  loadDataDirFrom?: string;
  /** PostgreSQL settings for the embedded server; embeddedDatabaseSettings when absent. */
  settings?: Record<string, string>;
}

/**
 * Memory sized for one small organisation, not PostgreSQL's server defaults: PGlite's WASM memory only
 * grows, so every buffer PostgreSQL touches stays resident for the life of the process. With the
 * defaults (shared_buffers 128MB, maintenance_work_mem 64MB, temp_buffers 8MB) a restarted server read
 * ~580 MB 10 s after its first requests, with these ~430 MB (settled after 2 minutes idle: ~335 MB, of which
 * the WASM memory is ~32 MB; docs/benchmarks.md, "Memory", says where the rest goes). The page cache of the
 * operating system still caches the data files behind the smaller buffer pool. Durability settings are
 * PGlite's own and untouched.
 */
export const embeddedDatabaseSettings: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  temp_buffers: '1MB',
  wal_buffers: '1MB',
  maintenance_work_mem: '16MB',
};

/** The main thread's Node options minus module loaders (`--import`, `--require`, `--loader` and their values). */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const loaders = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    if (loaders.has(a)) i++;
    else if (![...loaders].some((l) => a.startsWith(`${l}=`))) out.push(a);
  }
  return out;
}

export interface QueryOutcome {
  rows: Record<string, unknown>[];
  affectedRows: number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** A database error raised inside the worker, carrying PostgreSQL's SQLSTATE like node-postgres does. */
export class PGliteQueryError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly detail?: string,
    readonly constraint?: string,
  ) {
    super(message);
    this.name = 'PGliteQueryError';
  }
}

/**
 * The main thread's handle on the PGlite worker. PGlite has exactly one connection, so every user of it —
 * Kysely connections and the job queue alike — takes the one lock with `exclusive()` first; statements of a
 * transaction then run while the lock is held.
 */
export class PGliteWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lockTail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (msg: { id?: number; ok?: boolean; error?: Record<string, string> }) => {
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg);
      else {
        const e = msg.error ?? {};
        p.reject(new PGliteQueryError(e.message ?? 'PGlite error', e.code, e.detail, e.constraint));
      }
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => this.failAll(new Error('the PGlite worker stopped')));
  }

  static async start(options: PGliteWorkerOptions = {}): Promise<PGliteWorkerClient> {
    // A new folder is initialised (initdb) by a worker of its own that then closes the database cleanly and
    // ends: WASM memory never shrinks, and initdb's would otherwise stay resident for the process's life
    // (~90 MB; docs/benchmarks.md, "Memory"). The serving worker then opens the folder like any restart.
    if (options.dataDir && !options.loadDataDirFrom && !existsSync(join(options.dataDir, 'PG_VERSION'))) {
      const initialiser = await PGliteWorkerClient.open(options);
      await initialiser.close();
    }
    return PGliteWorkerClient.open(options);
  }

  private static async open(options: PGliteWorkerOptions): Promise<PGliteWorkerClient> {
    const worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { ...options, settings: options.settings ?? embeddedDatabaseSettings },
      // worker.js is plain JavaScript: the worker does not inherit the main thread's `--import tsx`, whose
      // loader hooks would otherwise be set up (and kept) in the worker too.
      execArgv: workerExecArgv(),
    });
    await new Promise<void>((resolve, reject) => {
      // A folder PGlite cannot read aborts the WASM module: the worker fails (or just exits) before ready.
      const onExit = (code: number) =>
        reject(new Error(`the PGlite worker exited with code ${code} while opening`));
      const onMessage = (msg: { ready?: boolean }) => {
        if (msg.ready) {
          worker.off('error', reject);
          worker.off('exit', onExit);
          worker.off('message', onMessage);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', onExit);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new PGliteWorkerClient(worker);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private send<T>(message: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the embedded database is closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  /** Runs one statement with parameters. Call it only while holding the lock. */
  query(sql: string, params: readonly unknown[] = []): Promise<QueryOutcome> {
    return this.send<QueryOutcome>({ kind: 'query', sql, params });
  }

  /** Runs several statements without parameters. Call it only while holding the lock. */
  exec(sql: string): Promise<QueryOutcome> {
    return this.send<QueryOutcome>({ kind: 'exec', sql });
  }

  /** Waits for the single connection; the returned function gives it back. */
  async exclusive(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.lockTail;
    this.lockTail = previous.then(() => next);
    await previous;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        release();
      }
    };
  }

  async dump(): Promise<Uint8Array> {
    const release = await this.exclusive();
    try {
      const r = await this.send<{ dump: Uint8Array }>({ kind: 'dump' });
      return r.dump;
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const release = await this.exclusive();
    try {
      await this.send({ kind: 'close' });
    } finally {
      this.closed = true;
      release();
      await this.worker.terminate();
    }
  }
}
