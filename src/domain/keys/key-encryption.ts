import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for private signing keys at rest. The AES key is derived from the configured secret with
 * HKDF-SHA256 (the secret is already high-entropy, so no password stretching is needed); the key id is the
 * additional authenticated data, so a ciphertext copied onto another row does not decrypt.
 * Format: `v1.<iv>.<ciphertext>.<tag>`, each part base64url.
 */
function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'roster', 'signing-key-encryption/v1', 32));
}

export function encryptPrivateKey(secret: string, kid: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret), iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', iv, body, tag].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

export function decryptPrivateKey(secret: string, kid: string, sealed: string): string {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !body || !tag) throw new Error('unknown private key format');
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
