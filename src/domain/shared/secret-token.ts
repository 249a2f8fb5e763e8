import { createHash, randomBytes } from 'node:crypto';

/**
 * One-time secrets (invitation links, refresh tokens) are 256 random bits shown once and stored only as a
 * SHA-256 hash prefixed with their purpose, so a token of one kind can never be replayed as another.
 */
export type SecretPurpose =
  | 'invitation'
  | 'refresh'
  | 'password_reset'
  | 'mfa_challenge'
  // passkeys: a WebAuthn challenge and the id of a passwordless sign-in ceremony
  | 'webauthn_challenge'
  | 'webauthn_ceremony';

export function newSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSecretToken(purpose: SecretPurpose, token: string): string {
  return createHash('sha256').update(`${purpose}:${token}`).digest('hex');
}
