// Resident memory of a real `roster serve` process (src/main.ts through tsx, as `npm start` runs it) for a
// small organisation: after start-up, and after a few requests (the owner sets a password, signs in, lists
// users, opens the console) plus 10 s idle. On the embedded database twice — the very first start in an
// empty folder (initdb runs in the process) and a restart on that folder — and on PostgreSQL, in the same
// run. Linux only (/proc/<pid>/status: VmRSS, and VmHWM for the peak).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, serverEnv, startRoster } from '../test/support/roster-process.js';

export interface MemoryReading {
  target: 'pglite first start' | 'pglite restart' | 'postgres';
  afterStartMiB: number;
  idleMiB: number;
  peakMiB: number;
}

export interface MemoryResult {
  idleSeconds: number;
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
): Promise<MemoryReading> {
  const port = await freePort();
  const server = startRoster(serverEnv(port, where, { LOG_LEVEL: 'warn', LOG_FORMAT: 'json' }));
  try {
    await server.waitForLine(/^Roster is running at /, 180_000);
    const afterStart = server.memory();
    const token = /#token=([A-Za-z0-9_-]+)/.exec(server.stdout())?.[1];
    await firstRequests(`http://127.0.0.1:${port}`, token);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idle = server.memory();
    const reading = {
      target,
      afterStartMiB: afterStart.rssMiB,
      idleMiB: idle.rssMiB,
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
): Promise<MemoryResult> {
  const readings: MemoryReading[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'roster-bench-memory-'));
  try {
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
  return { idleSeconds, readings };
}
