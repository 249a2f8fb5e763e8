import { hash, verify } from '@node-rs/argon2';
import { normalizePassword } from './password-policy.js';

/** argon2id with OWASP's minimum: m = 19 MiB, t = 2, p = 1. */
const params = { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), params);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, normalizePassword(password));
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
