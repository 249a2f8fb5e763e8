// PGlite runs here, in a worker thread, so that a long query never blocks the HTTP event loop of the main
// thread (PGlite is synchronous WASM). The main thread talks to it with the messages handled below.
// Plain JavaScript on purpose: a worker is started from a file path, outside any TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import { readFile } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';

if (!parentPort) throw new Error('the PGlite worker must run in a worker thread');
const port = parentPort;

/** @type {{ dataDir?: string, loadDataDirFrom?: string, settings?: Record<string, string> }} */
const options = workerData ?? {};
const loadDataDir = options.loadDataDirFrom ? new Blob([await readFile(options.loadDataDirFrom)]) : undefined;

const db = await PGlite.create({
  dataDir: options.dataDir,
  loadDataDir,
  extensions: { pg_trgm, pgcrypto },
  // int8 and numeric come back as JavaScript numbers, like the pg pool is configured to do.
  parsers: { [types.INT8]: (v) => Number(v), [types.NUMERIC]: (v) => Number(v) },
  // PGlite's own start parameters (single-user mode and the rest) plus our memory settings (client.ts).
  startParams: [
    ...PGlite.defaultStartParams,
    ...Object.entries(options.settings ?? {}).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ],
});

port.on('message', async (msg) => {
  try {
    switch (msg.kind) {
      case 'query': {
        const r = await db.query(msg.sql, msg.params ?? [], { rowMode: 'object' });
        port.postMessage({ id: msg.id, ok: true, rows: r.rows, affectedRows: r.affectedRows ?? 0 });
        break;
      }
      case 'exec': {
        const results = await db.exec(msg.sql);
        const last = results[results.length - 1];
        port.postMessage({
          id: msg.id,
          ok: true,
          rows: last?.rows ?? [],
          affectedRows: last?.affectedRows ?? 0,
        });
        break;
      }
      case 'dump': {
        const blob = await db.dumpDataDir('gzip');
        port.postMessage({ id: msg.id, ok: true, dump: new Uint8Array(await blob.arrayBuffer()) });
        break;
      }
      case 'close': {
        await db.close();
        port.postMessage({ id: msg.id, ok: true });
        break;
      }
      default:
        port.postMessage({ id: msg.id, ok: false, error: { message: `unknown message ${msg.kind}` } });
    }
  } catch (err) {
    const e = /** @type {any} */ (err);
    port.postMessage({
      id: msg.id,
      ok: false,
      error: {
        message: e?.message ?? String(e),
        code: e?.code,
        detail: e?.detail,
        constraint: e?.constraint,
      },
    });
  }
});

port.postMessage({ ready: true });
