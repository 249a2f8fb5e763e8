import { createHash, randomBytes } from 'node:crypto';

/**
 * Recovery codes (NIST's "look-up secrets"): 10 per batch, each 80 random bits written as 16 base32
 * characters in groups of four (`abcd-efgh-ijkl-mnop`). They are stored as SHA-256 of purpose, user id and
 * the normalised code, not with argon2id: a password needs stretching because people choose guessable ones,
 * an 80-bit random code does not (2^80 hashes are out of reach offline; online, every guess goes through the
 * sign-in throttle), and a plain hash lets the code be found by one indexed look-up instead of one argon2
 * verification per stored code. Binding the user id in means a code never works for another account.
 */
export const recoveryCodeRules = { count: 10, bytes: 10 } as const;

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

export function newRecoveryCode(): string {
  const bytes = randomBytes(recoveryCodeRules.bytes);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Case, spaces and dashes do not matter when typed; a code too short or too long never matches. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, '');
}

export function hashRecoveryCode(userId: string, code: string): string {
  return createHash('sha256')
    .update(`recovery_code:${userId}:${normalizeRecoveryCode(code)}`)
    .digest('hex');
}
