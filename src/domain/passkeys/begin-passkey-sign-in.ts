import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { DomainError } from '../errors.js';
import { countRequestsInWindow } from '../security/request-window.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { newSecretToken } from '../shared/secret-token.js';
import { storeChallenge } from './passkey-challenges.js';
import { passkeyRules, relyingPartyOf } from './relying-party.js';

/**
 * Ceremonies one source may begin per window. The sign-in page begins one on load (conditional UI) and
 * one per click, so a person needs a few; an office behind one address needs more; a flood is cut off
 * before it fills `webauthn_challenges` (each ceremony is a row for 5 minutes).
 */
export const passkeySignInRules = { perSource: 30, windowMs: 60_000 } as const;

/**
 * Anonymous: starts a passwordless sign-in. No user is named (discoverable credentials, empty
 * allowCredentials: the browser offers the passkeys it holds for this RP ID, also in the username field's
 * autofill — conditional UI). The challenge is bound to a random ceremony id returned to this client only
 * (stored hashed) and lives 5 minutes. At most `passkeySignInRules.perSource` per source per minute.
 */
export async function beginPasskeySignIn(
  services: Services,
  meta: RequestMeta,
): Promise<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON; expiresAt: Date }> {
  const now = services.clock.now();
  // Counted per source in fixed windows (request-window.ts); past the limit: TOO_MANY_REQUESTS, no row.
  const key = `passkey_sign_in:ip:${meta.ip ?? 'unknown'}`;
  const counts = await countRequestsInWindow(services.db, [key], passkeySignInRules.windowMs, now);
  if ((counts.get(key) ?? Number.POSITIVE_INFINITY) > passkeySignInRules.perSource) {
    throw new DomainError('TOO_MANY_REQUESTS', undefined, {
      retryAfterSeconds: Math.ceil(passkeySignInRules.windowMs / 1000),
    });
  }
  const rp = relyingPartyOf(services.config);
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: [],
    userVerification: passkeyRules.userVerification,
    timeout: passkeyRules.challengeTtlMs,
  });
  const ceremonyId = newSecretToken();
  const expiresAt = await storeChallenge(
    services.db,
    options.challenge,
    { purpose: 'authentication', ceremonyId },
    now,
  );
  return { ceremonyId, options, expiresAt };
}
