import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

// `roster serve` as an operator runs it: a real process (src/main.ts through tsx, as `npm start` does), its
// standard output collected, its memory read from /proc. Used by the start-up tests and the memory bench.

const main = join(import.meta.dirname, '..', '..', 'src', 'main.ts');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * The environment of a development server on `port`: the embedded database in `dataDir` unless
 * `databaseUrl` is given; nothing of the test runner's own database or mode leaks in.
 */
export function serverEnv(
  port: number,
  where: { dataDir: string; databaseUrl?: string },
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(DATABASE_|TEST_DATABASE_URL|PUBLIC_URL|HOST|LOG_|SMTP_|VITEST|NODE_ENV|ROSTER_)/.test(k))
      delete env[k];
  return {
    ...env,
    NODE_ENV: 'development',
    PORT: String(port),
    ROSTER_DATA_DIR: where.dataDir,
    ...(where.databaseUrl ? { DATABASE_URL: where.databaseUrl } : {}),
    ...extra,
  };
}

export interface RosterProcess {
  child: ChildProcess;
  pid: number;
  /** Everything written to standard output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves once a line of standard output matches; rejects if the process exits first or after timeoutMs. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resident (anonymous and file-backed parts) and peak resident memory of the process, in MiB (Linux /proc). */
  memory(): { rssMiB: number; anonMiB: number; fileMiB: number; peakRssMiB: number };
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
}

/** `mainFile`: another checkout's src/main.ts (the memory bench's baseline); this one's by default. */
export function startRoster(
  env: NodeJS.ProcessEnv,
  args: string[] = ['serve'],
  mainFile: string = main,
): RosterProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', mainFile, ...args], { env });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    pid: child.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    waitForLine(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line === undefined) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          done();
          reject(new Error(`the server exited (${code}) before printing ${pattern}:\n${out}\n${err}`));
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', onExit);
        };
        waiters.add(check);
        child.once('exit', onExit);
        check();
      });
    },
    memory() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      const mib = (field: string) => Math.round(kib(field) / 1024);
      return {
        rssMiB: mib('VmRSS'),
        anonMiB: mib('RssAnon'),
        fileMiB: mib('RssFile'),
        peakRssMiB: mib('VmHWM'),
      };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}
