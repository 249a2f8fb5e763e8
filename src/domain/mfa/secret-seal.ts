import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * TOTP secrets at rest: AES-256-GCM under a key derived with HKDF-SHA256 from the instance's secret
 * (ROSTER_SECRET_KEY, or the generated `<dataDir>/secret.key` in development: `resolveSecretKey`), the same
 * secret that seals the private signing keys but with its own HKDF `info`, so the two keys are independent.
 * The factor's id is the associated data: a sealed secret copied onto another factor (another person) does
 * not open. Format: `v1.<iv>.<ciphertext>.<tag>`, base64url. Losing ROSTER_SECRET_KEY loses every enrolled
 * authenticator (people then use a recovery code or an administrator resets their factors).
 */
const derived = new Map<string, Buffer>();
/** One instance has one secret (two while a test suite runs several): derived once, not per code checked. */
function deriveKey(secret: string): Buffer {
  let key = derived.get(secret);
  if (!key) {
    if (derived.size >= 16) derived.clear();
    key = Buffer.from(hkdfSync('sha256', secret, 'roster', 'mfa-totp-secret/v1', 32));
    derived.set(secret, key);
  }
  return key;
}

export function sealFactorSecret(secret: string, factorId: string, plaintext: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret), iv);
  cipher.setAAD(Buffer.from(factorId, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function openFactorSecret(secret: string, factorId: string, sealed: string): Uint8Array {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !body || !tag) throw new Error('unknown sealed secret format');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(factorId, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]));
}
