/**
 * Builds the console (Vite) into dist/console when it is missing or older than its sources. Used by
 * `npm start` (prestart) and the end-to-end tests; a no-op costing a few file stats when fresh.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const consoleDist = join(repoRoot, 'dist', 'console');
const sources = [
  'console/src',
  'console/index.html',
  'console/vite.config.ts',
  'console/tsconfig.json',
  'package-lock.json',
];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newestMtime(join(path, name))), s.mtimeMs);
}

/** Why a build is needed, or null when dist/console is newer than every source. */
export function consoleBuildNeeded(): string | null {
  const index = join(consoleDist, 'index.html');
  if (!existsSync(index)) return 'dist/console is missing';
  const built = statSync(index).mtimeMs;
  const newest = Math.max(...sources.map((s) => newestMtime(join(repoRoot, s))));
  return newest > built ? 'the console sources changed since the last build' : null;
}

function runVite(): Promise<void> {
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', 'console/vite.config.ts', '--logLevel', 'warn'],
      {
        cwd: repoRoot,
        stdio: 'inherit',
      },
    );
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    );
  });
}

/** One build at a time across processes (parallel test files, a start during a build). */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const lock = join(repoRoot, '.tmp', 'console-build.lock');
  mkdirSync(join(repoRoot, '.tmp'), { recursive: true });
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process builds; a lock older than five minutes was left by a killed one.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmdirSync(lock);
      if (Date.now() > deadline) throw new Error('timed out waiting for another console build');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmdirSync(lock);
  }
}

export async function ensureConsoleBuilt(
  log: (line: string) => void = console.log,
): Promise<'fresh' | 'built' | 'unavailable'> {
  if (!consoleBuildNeeded()) return 'fresh';
  return withLock(async () => {
    const reason = consoleBuildNeeded();
    if (!reason) return 'fresh';
    if (!existsSync(join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'))) {
      log(`The console needs a build (${reason}), but Vite is not installed (npm ci without --omit=dev).`);
      return 'unavailable';
    }
    log(`Building the console: ${reason}…`);
    const started = Date.now();
    await runVite();
    log(`Console built into dist/console in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return 'built';
  });
}
