import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, isStale, lockDataDir, processStartTicks } from './data-dir-lock.js';

// Real processes on a real data folder: `roster serve` and other `roster` commands, as an operator runs them.
// These run the same on both test databases (they make their own embedded folder; DATABASE_URL is unset).

const main = join(import.meta.dirname, '..', '..', 'main.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function envFor(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ROSTER_DATA_DIR: dataDir, PORT: String(port) };
  for (const k of ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'TEST_DATABASE_URL', 'NODE_ENV', 'VITEST'])
    delete env[k];
  return { ...env, NODE_ENV: 'development', LOG_LEVEL: 'warn', SMTP_URL: undefined };
}

function roster(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', main, 'serve'], { env, stdio: 'ignore' });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (p.exitCode !== null) throw new Error(`the server exited with ${p.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.ok) return p;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  p.kill('SIGKILL');
  throw new Error('the server did not become ready');
}

function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => p.once('exit', () => r()));
}

describe('one process per embedded data folder', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-lock-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses `roster seed` while the server runs, naming its PID; data intact; kill -9 leaves no lasting lock', async () => {
    const port = await freePort();
    const env = envFor(dir, port);
    const server = await startServer(env, port);
    try {
      const seed = await roster(env, ['seed', '--users', '50']);
      expect(seed.code).toBe(3);
      expect(seed.out).not.toContain('Inserted');
      expect(seed.err).toContain(`in use by the Roster server (PID ${server.pid}`);
      expect(seed.err).toContain(`Stop the server first`);
      // The other commands that open the database say the same.
      const migrate = await roster(env, ['migrate']);
      expect(migrate.code).toBe(3);
      expect(migrate.err).toContain(`PID ${server.pid}`);
      // The server still answers.
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).ok).toBe(true);
    } finally {
      server.kill('SIGKILL');
      await exited(server);
    }
    // kill -9 left the lock file behind; its holder is gone, so the next opener takes over.
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(true);
    const verify = await roster(env, ['audit', 'verify']);
    expect(verify.err).toBe('');
    expect(verify.code).toBe(0);
    // The first start's bootstrap (organisation + owner invitation: 2 events) is intact; a seed run would
    // have added a third.
    expect(verify.out).toMatch(/^ok {6}default: 2 events verified\n$/);
    const again = await startServer(env, port);
    again.kill('SIGTERM');
    await exited(again);
    expect(again.exitCode).toBe(0);
    // A clean stop removes the lock.
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(false);
  }, 240_000);

  it('says what happened and how to recover when the folder cannot be opened', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'roster-broken-'));
    try {
      const env = envFor(broken, await freePort());
      expect((await roster(env, ['migrate'])).code).toBe(0);
      // Damage the cluster's control file, as two writers or a torn write can.
      const control = join(broken, 'pglite', 'global', 'pg_control');
      writeFileSync(control, Buffer.alloc(readFileSync(control).length, 7));
      const r = await roster(env, ['migrate']);
      expect(r.code).toBe(3);
      expect(r.err).toContain(`the embedded database in ${join(broken, 'pglite')} could not be opened`);
      expect(r.err).toContain('To recover');
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      // The failed open did not leave its own lock behind.
      expect(existsSync(join(broken, 'pglite.lock'))).toBe(false);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the lock file', () => {
  it('is exclusive within a host, names its holder, and is taken over when the holder is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-lockfile-'));
    try {
      const folder = join(dir, 'pglite');
      const lock = lockDataDir(folder, 'seed');
      expect(() => lockDataDir(folder, 'migrate')).toThrow(DataDirLockedError);
      lock.release();
      expect(existsSync(`${folder}.lock`)).toBe(false);

      // A dead PID (beyond pid_max) and a live PID with another start time (a recycled PID) are both stale.
      const ticks = processStartTicks(process.ppid);
      const dead = { pid: 2 ** 22 + 1, startTicks: 1, host: hostname(), command: 'serve', since: 'x' };
      expect(isStale(dead)).toBe(true);
      if (ticks !== null) {
        expect(isStale({ ...dead, pid: process.ppid, startTicks: ticks })).toBe(false);
        expect(isStale({ ...dead, pid: process.ppid, startTicks: ticks + 1 })).toBe(true);
      }
      expect(isStale({ ...dead, host: 'another-host' })).toBe(false);

      writeFileSync(`${folder}.lock`, JSON.stringify(dead));
      const taken = lockDataDir(folder, 'serve');
      expect(JSON.parse(readFileSync(`${folder}.lock`, 'utf8'))).toMatchObject({ pid: process.pid });
      taken.release();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
