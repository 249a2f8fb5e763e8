// What the numbers were measured on: printed and stored with every result (performance.md: machines here
// are noisy, so absolute figures only mean something next to their environment and same-run baseline).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import pg from 'pg';

export interface Environment {
  cpu: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage: number[];
  node: string;
  postgres: string | null;
  pglite: string;
  commit: string | null;
  pinning: string;
}

export async function environment(postgresUrl: string | null, pinning: string): Promise<Environment> {
  let postgres: string | null = null;
  if (postgresUrl) {
    const c = new pg.Client({ connectionString: postgresUrl });
    try {
      await c.connect();
      const r = await c.query<{ v: string; sb: string }>(
        `select version() as v, current_setting('shared_buffers') as sb`,
      );
      postgres = `${r.rows[0]?.v} (shared_buffers ${r.rows[0]?.sb})`;
    } catch (err) {
      postgres = `unreachable: ${(err as Error).message}`;
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  const pglite = (
    JSON.parse(readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')) as { version: string }
  ).version;
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const gib = (b: number) => Math.round((b / 2 ** 30) * 10) / 10;
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    node: process.version,
    postgres,
    pglite: `@electric-sql/pglite ${pglite}`,
    commit,
    pinning,
  };
}
