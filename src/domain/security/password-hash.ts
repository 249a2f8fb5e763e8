import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/argon2';
import { normalizePassword } from './password-policy.js';

/** argon2id with OWASP's minimum: m = 19 MiB, t = 2, p = 1. */
const params = { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 } as const;

/**
 * At most one hash per core at a time (the cores this process may run on: affinity counts). Hashes run on
 * libuv's thread pool, four threads by default: on fewer cores, four concurrent 20 ms hashes starve the
 * event loop, which then answers each database round trip late — sign-ins measured at half the bare hash
 * rate with 10 concurrent clients on one core, at the full rate with this bound (issue 10). Waiting for a
 * slot costs an unknown account the same as a known one, so timing still tells nothing.
 */
const hashSlots = Math.max(1, availableParallelism());
let hashing = 0;
const waitingForSlot: (() => void)[] = [];

async function inHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (hashing >= hashSlots) await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  else hashing += 1;
  try {
    return await work();
  } finally {
    const next = waitingForSlot.shift();
    // The slot passes straight to the next waiter; only when nobody waits is it freed.
    if (next) next();
    else hashing -= 1;
  }
}

export function hashPassword(password: string): Promise<string> {
  return inHashSlot(() => hash(normalizePassword(password), params));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await inHashSlot(() => verify(passwordHash, normalizePassword(password)));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as a real verification when there is no hash to check (unknown user, no
 * password yet), so that timing does not tell whether an account exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('roster-dummy-password-for-constant-time');
  await verifyPassword(await dummy, password);
  return false;
}
