import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * An exclusive lock on the embedded database's folder. PGlite (Postgres in WASM) has no postmaster and no
 * shared-memory interlock: two processes opening one folder both write to it, and the folder ends up
 * unreadable (`RuntimeError: Aborted()`). Node has no flock() without a native addon, so the lock is a
 * file created with O_EXCL (atomic on local file systems) holding the holder's PID, its start time (from
 * /proc, so a recycled PID is not mistaken for the holder) and host. A lock whose process is gone — killed
 * with -9, crashed, the machine rebooted — is stale and taken over. proper-lockfile was considered and not
 * taken: its staleness is an mtime refreshed on a timer, so a holder whose event loop stalls loses the lock
 * while still writing, and it cannot say who holds it.
 */
export interface LockHolder {
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22); null where /proc is absent. */
  startTicks: number | null;
  host: string;
  /** What the holder runs (`serve`, `seed`, …), for the message. */
  command: string;
  since: string;
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
    readonly lockFile: string,
  ) {
    const who = holder.command === 'serve' ? 'the Roster server' : `"roster ${holder.command}"`;
    const where =
      holder.host === hostname() ? `PID ${holder.pid}` : `PID ${holder.pid} on host ${holder.host}`;
    super(
      `the data folder ${dataDir} is in use by ${who} (${where}, since ${holder.since}).\n` +
        `The embedded database allows one process at a time: two at once corrupt it.\n` +
        (holder.command === 'serve'
          ? `Stop the server first (Ctrl+C, or kill ${holder.pid}), run this command, then start it again;\n` +
            `or do this through the running server's GraphQL API or console instead.\n`
          : `Wait for it to finish, or stop it (kill ${holder.pid}), then try again.\n`) +
        (holder.host === hostname()
          ? ''
          : `It runs on another host, so Roster cannot tell whether it is alive; if you are sure it is not,\n` +
            `delete ${lockFile}.\n`),
    );
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): void;
}

/** Start time of a process in clock ticks since boot, or null when unknown (no /proc, process gone). */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user — alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the holder recorded in a lock file is certainly gone (same host only). Pure but for /proc. */
export function isStale(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  if (!isAlive(holder.pid)) return true;
  // Alive, but is it the same process? A PID reused after a reboot or wrap-around starts at another time.
  const ticks = processStartTicks(holder.pid);
  return holder.startTicks !== null && ticks !== null && ticks !== holder.startTicks;
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number') return null;
    return {
      pid: parsed.pid,
      startTicks: typeof parsed.startTicks === 'number' ? parsed.startTicks : null,
      host: typeof parsed.host === 'string' ? parsed.host : 'unknown',
      command: typeof parsed.command === 'string' ? parsed.command : 'unknown',
      since: typeof parsed.since === 'string' ? parsed.since : 'unknown',
    };
  } catch {
    return null;
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The command being run, e.g. `serve` for `roster serve` (the default command). */
function currentCommand(): string {
  const arg = process.argv.slice(2).find((a) => !a.startsWith('-'));
  return arg ?? 'serve';
}

const held = new Map<string, LockHolder>();
let exitHookInstalled = false;

/**
 * Takes the lock on `dataDir` (the file `<dataDir>.lock` beside it) or throws DataDirLockedError naming the
 * holder. Released by `release()` and, should the process exit without it, by an exit hook; after a kill -9
 * the next opener finds the holder gone and takes over.
 */
export function lockDataDir(dataDir: string, command = currentCommand()): DataDirLock {
  const file = `${dataDir}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    startTicks: processStartTicks(process.pid),
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, me)) return remember(file, me);
    const holder = readHolder(file);
    if (holder === null) {
      // Being written this instant by another opener, or a torn file left by a crash mid-write: give the
      // writer a moment, then treat a file that stays unreadable for a second as stale.
      const age = Date.now() - safeMtime(file);
      if (age < 1000) {
        sleepSync(50);
        continue;
      }
    } else if (!isStale(holder)) {
      throw new DataDirLockedError(dataDir, holder, file);
    }
    takeOver(file, holder);
  }
  const holder = readHolder(file);
  if (holder) throw new DataDirLockedError(dataDir, holder, file);
  throw new Error(`could not take the lock ${file}`);
}

/**
 * Removes a stale lock, guarded by a short-lived second O_EXCL file so that two processes taking over at
 * once do not each delete the lock the other has just created.
 */
function takeOver(file: string, stale: LockHolder | null): void {
  const guard = `${file}.takeover`;
  if (!tryCreate(guard, { ...(stale ?? { pid: 0, startTicks: null, host: '', command: '', since: '' }) })) {
    // Another process is taking over; a guard older than 10 s was left by a crash and is removed.
    if (Date.now() - safeMtime(guard) > 10_000) unlinkQuietly(guard);
    sleepSync(50);
    return;
  }
  try {
    const now = readHolder(file);
    const same =
      (now === null && stale === null) ||
      (now !== null && stale !== null && now.pid === stale.pid && now.since === stale.since);
    if (same) unlinkQuietly(file);
  } finally {
    unlinkQuietly(guard);
  }
}

function remember(file: string, me: LockHolder): DataDirLock {
  held.set(file, me);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const f of held.keys()) releaseFile(f);
    });
  }
  return { file, release: () => releaseFile(file) };
}

function releaseFile(file: string): void {
  const me = held.get(file);
  if (!me) return;
  held.delete(file);
  const now = readHolder(file);
  // Only ever delete our own lock.
  if (now && now.pid === me.pid && now.since === me.since) unlinkQuietly(file);
}

function safeMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
