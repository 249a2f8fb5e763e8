// Resident memory of a real `roster serve` process (src/main.ts through tsx, as `npm start` runs it) for a
// small organisation: after start-up, then after a few requests (the owner sets a password, signs in, lists
// users, opens the console) read every second while the server idles: 10 s after the requests, and at the
// end of the idle time (BENCH_MEMORY_IDLE_SECONDS, default 120), which is what an idle server settles at —
// V8 shrinks its heaps only once the process has been quiet for a while (its memory reducer), on both
// databases alike. On the embedded database twice — the very first start in an empty folder (initdb) and a
// restart on that folder — and on PostgreSQL, in the same run. BENCH_MEMORY_BASELINE=<another checkout>
// also measures the embedded database with that checkout's src/main.ts, in the same run (before/after).
// Linux only (/proc/<pid>/status: VmRSS = RssAnon + RssFile + RssShmem, VmHWM for the peak).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, serverEnv, startRoster } from '../test/support/roster-process.js';

export interface MemoryReading {
  target: 'pglite first start' | 'pglite restart' | 'postgres';
  /** `baseline` when measured with BENCH_MEMORY_BASELINE's checkout. */
  code: 'this checkout' | 'baseline';
  afterStartMiB: number;
  /** 10 s after the first requests. */
  idle10sMiB: number;
  /** At the end of the idle time: what the idle server settled at. */
  idleMiB: number;
  /** Of idleMiB: file-backed (mostly the node binary's pages), the rest anonymous. */
  idleFileMiB: number;
  /** The lowest reading while idle. */
  idleMinMiB: number;
  peakMiB: number;
}

export interface MemoryResult {
  idleSeconds: number;
  baseline: string | null;
  readings: MemoryReading[];
}

const ownerPassword = 'quiet lantern harbour violet meadow';

async function gql(base: string, query: string, variables: object = {}, token?: string) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await r.json()) as {
    data?: Record<string, { userErrors?: unknown[]; accessToken?: string } | null>;
    errors?: unknown;
  };
}

/** What a person does first: set the password with the setup link, sign in, list users, load the console. */
async function firstRequests(base: string, setupToken: string | undefined): Promise<void> {
  if (setupToken) {
    const a = await gql(
      base,
      'mutation($t:String!,$p:String!){ acceptInvitation(input:{token:$t,password:$p}){ userErrors{ code } } }',
      { t: setupToken, p: ownerPassword },
    );
    if (a.data?.acceptInvitation?.userErrors?.length) throw new Error(JSON.stringify(a));
  }
  const s = await gql(
    base,
    'mutation($e:String!,$p:String!){ signIn(input:{email:$e,password:$p}){ accessToken } }',
    {
      e: 'owner@example.com',
      p: ownerPassword,
    },
  );
  const token = s.data?.signIn?.accessToken as string | undefined;
  if (!token) throw new Error(`sign-in failed: ${JSON.stringify(s)}`);
  for (let i = 0; i < 5; i++) {
    const u = await gql(base, '{ users(first: 20) { nodes { email status } } }', {}, token);
    if (u.errors) throw new Error(JSON.stringify(u.errors));
  }
  await fetch(`${base}/`).then((r) => r.text());
  await fetch(`${base}/readyz`);
}

async function measure(
  target: MemoryReading['target'],
  where: { dataDir: string; databaseUrl?: string },
  idleSeconds: number,
  log: (line: string) => void,
  baseline?: string,
): Promise<MemoryReading> {
  const port = await freePort();
  const env = serverEnv(port, where, { LOG_LEVEL: 'warn', LOG_FORMAT: 'json' });
  const server = baseline ? startRoster(env, ['serve'], join(baseline, 'src', 'main.ts')) : startRoster(env);
  try {
    await server.waitForLine(/^Roster is running at /, 180_000);
    const afterStart = server.memory();
    const token = /#token=([A-Za-z0-9_-]+)/.exec(server.stdout())?.[1];
    await firstRequests(`http://127.0.0.1:${port}`, token);
    const samples: number[] = [];
    let idle = server.memory();
    for (let s = 1; s <= Math.max(idleSeconds, 10); s++) {
      await new Promise((r) => setTimeout(r, 1000));
      idle = server.memory();
      samples.push(idle.rssMiB);
    }
    const reading: MemoryReading = {
      target,
      code: baseline ? 'baseline' : 'this checkout',
      afterStartMiB: afterStart.rssMiB,
      idle10sMiB: samples[9] ?? idle.rssMiB,
      idleMiB: idle.rssMiB,
      idleFileMiB: idle.fileMiB,
      idleMinMiB: Math.min(...samples),
      peakMiB: Math.max(afterStart.peakRssMiB, idle.peakRssMiB),
    };
    log(`memory ${target}: ${JSON.stringify(reading)}`);
    return reading;
  } finally {
    await server.stop();
  }
}

/** A database of its own on the PostgreSQL server (dropped and made anew), so nothing else's data counts. */
async function freshDatabase(baseUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name}`);
  } finally {
    await c.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function benchMemory(
  postgresUrl: string | null,
  idleSeconds: number,
  log: (line: string) => void,
  baseline?: string,
): Promise<MemoryResult> {
  const readings: MemoryReading[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'roster-bench-memory-'));
  try {
    if (baseline) {
      const where = { dataDir: join(dir, 'pglite-baseline') };
      readings.push(await measure('pglite first start', where, idleSeconds, log, baseline));
      readings.push(await measure('pglite restart', where, idleSeconds, log, baseline));
    }
    readings.push(await measure('pglite first start', { dataDir: join(dir, 'pglite') }, idleSeconds, log));
    readings.push(await measure('pglite restart', { dataDir: join(dir, 'pglite') }, idleSeconds, log));
    if (postgresUrl) {
      const url = await freshDatabase(postgresUrl, 'roster_bench_memory');
      readings.push(
        await measure('postgres', { dataDir: join(dir, 'pg'), databaseUrl: url }, idleSeconds, log),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { idleSeconds, baseline: baseline ?? null, readings };
}
