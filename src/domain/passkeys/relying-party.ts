import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import type { Config } from '../../config.js';

/**
 * The WebAuthn relying party is this installation, as PUBLIC_URL names it: the RP ID is its host name
 * (a passkey works only on that host and its subdomains) and the one expected origin is its scheme, host
 * and port. Behind a proxy PUBLIC_URL must be the address people type, or no passkey will verify.
 */
export interface RelyingParty {
  rpID: string;
  origin: string;
}

export function relyingPartyOf(config: Pick<Config, 'publicUrl'>): RelyingParty {
  const url = new URL(config.publicUrl);
  return { rpID: url.hostname, origin: url.origin };
}

/**
 * Choices, documented in docs/ARCHITECTURE.md ("Passkeys"):
 * - residentKey `required`: every passkey is discoverable, so it serves passwordless sign-in (no email first).
 * - userVerification `required`: a passkey alone opens a session at AAL2 (`amr` hwk + user), which holds
 *   only if the authenticator verified the person (PIN or biometric); an assertion without UV is refused.
 * - attestation `none`: we do not restrict authenticator models, so we do not ask who made it.
 */
export const passkeyRules = {
  challengeTtlMs: 5 * 60_000,
  userVerification: 'required' as const,
  residentKey: 'required' as const,
  maxPasskeysPerUser: 20,
  maxNameLength: 100,
} as const;

/**
 * What a browser's PublicKeyCredential JSON (from @simplewebauthn/browser) must at least hold; the library
 * checks the rest. Browsers add fields over time (clientExtensionResults, authenticatorAttachment,
 * response.publicKey…), so unknown fields pass through to the library rather than being refused here.
 */
const b64url = z
  .string()
  .min(1)
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'base64url');
export const registrationResponseSchema = z
  .looseObject({
    id: b64url,
    rawId: b64url,
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: b64url,
      attestationObject: b64url,
      transports: z.array(z.string().max(32)).max(10).optional(),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .transform((r) => r as unknown as RegistrationResponseJSON);

export const authenticationResponseSchema = z
  .looseObject({
    id: b64url,
    rawId: b64url,
    type: z.literal('public-key'),
    response: z.looseObject({
      clientDataJSON: b64url,
      authenticatorData: b64url,
      signature: b64url,
      userHandle: b64url.nullish(),
    }),
    clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  })
  .transform((r) => r as unknown as AuthenticationResponseJSON);

/** The challenge a response answers (from its clientDataJSON), or null when it cannot be read. */
export function challengeOf(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as unknown;
    const c = (data as { challenge?: unknown } | null)?.challenge;
    return typeof c === 'string' && c.length > 0 && c.length <= 512 ? c : null;
  } catch {
    return null;
  }
}

/** The WebAuthn user handle of a user: their id's bytes (UTF-8 of the UUID; no email, no name). */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId, 'utf8'));
}

/**
 * Pure: whether a signature counter may follow the stored one. Authenticators that keep no counter report
 * 0 forever (synced passkeys do); once either is non-zero the counter must grow, else the credential may
 * have been cloned (WebAuthn §6.1.1) and the assertion is refused.
 */
export function signCounterAcceptable(stored: number, reported: number): boolean {
  if (stored === 0 && reported === 0) return true;
  return reported > stored;
}
