import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Services } from '../shared/context.js';
import { newSecretToken } from '../shared/secret-token.js';
import { storeChallenge } from './passkey-challenges.js';
import { passkeyRules, relyingPartyOf } from './relying-party.js';

/**
 * Anonymous: starts a passwordless sign-in. No user is named (discoverable credentials, empty
 * allowCredentials: the browser offers the passkeys it holds for this RP ID, also in the username field's
 * autofill — conditional UI). The challenge is bound to a random ceremony id returned to this client only
 * (stored hashed) and lives 5 minutes.
 */
export async function beginPasskeySignIn(
  services: Services,
): Promise<{ ceremonyId: string; options: PublicKeyCredentialRequestOptionsJSON; expiresAt: Date }> {
  const now = services.clock.now();
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
