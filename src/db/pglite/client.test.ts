import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabaseSettings, PGliteWorkerClient, workerExecArgv } from './client.js';

// The memory sizing of the embedded database (docs/benchmarks.md, "Memory"): asserted as settings, not as
// resident-memory thresholds, which depend on the machine and its load. A real PGlite worker, in memory;
// the same on both test databases (it never touches TEST_DATABASE_URL).

describe('the embedded database worker', () => {
  let client: PGliteWorkerClient;
  beforeAll(async () => {
    client = await PGliteWorkerClient.start();
  }, 120_000);
  afterAll(async () => {
    await client?.close();
  });

  it('runs with the memory settings of embeddedDatabaseSettings, not PostgreSQL’s server defaults', async () => {
    const release = await client.exclusive();
    try {
      for (const [name, value] of Object.entries(embeddedDatabaseSettings)) {
        const r = await client.query(`select current_setting($1) as v`, [name]);
        expect({ name, value: r.rows[0]?.v }).toEqual({ name, value });
      }
      // Durability is PGlite's own (its start parameters) and untouched by the sizing.
      for (const name of ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method'])
        expect(Object.keys(embeddedDatabaseSettings)).not.toContain(name);
    } finally {
      release();
    }
  });
});

describe('workerExecArgv', () => {
  it('drops module loaders and their values, keeps the other Node options', () => {
    expect(
      workerExecArgv([
        '--import',
        'tsx',
        '--max-old-space-size=512',
        '--import=./x.js',
        '--require',
        'y.cjs',
        '-r',
        'z.cjs',
        '--loader',
        'ts-node/esm',
        '--experimental-loader=a.js',
        '--enable-source-maps',
      ]),
    ).toEqual(['--max-old-space-size=512', '--enable-source-maps']);
    expect(workerExecArgv([])).toEqual([]);
  });
});
