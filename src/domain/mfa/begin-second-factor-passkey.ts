import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { DomainError } from '../errors.js';
import { storeChallenge } from '../passkeys/passkey-challenges.js';
import { requestOptionsForUser } from '../passkeys/request-options-for-user.js';
import {
  recordSourceFailure,
  refundSignInAttempt,
  reserveSignInAttempt,
} from '../security/sign-in-throttle.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { phishingResistantOnlyFor, secondFactorMethodsOf } from './factors.js';
import { findMfaChallenge, mfaChallengeUsable } from './mfa-challenge.js';

export const beginSecondFactorPasskeyInput = z.object({ challengeId: z.string().min(1).max(200) }).strict();

/**
 * Anonymous, like `completeSignIn`: the MFA challenge id from `signIn` is the credential. Request options
 * for the person's own passkeys (allowCredentials), with a WebAuthn challenge bound to this MFA challenge
 * and this user (purpose `second_factor`), 5 minutes, used once; a newer one replaces the earlier, so one
 * sign-in in progress holds at most one. Nothing is verified here and no attempt is taken: the assertion
 * goes to `completeSignIn` (`webauthnAssertion`), which counts failures. An unknown challenge id counts on
 * the source (as in completeSignIn); one whose person has no passkey (or whose method is not allowed)
 * answers MFA_METHOD_NOT_AVAILABLE.
 */
export async function beginSecondFactorPasskey(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof beginSecondFactorPasskeyInput>,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; expiresAt: Date }> {
  const input = parseInput(beginSecondFactorPasskeyInput, raw);
  const now = services.clock.now();
  const found = await findMfaChallenge(services.db, input.challengeId);
  if (!found || !mfaChallengeUsable(found, now)) {
    const r = await reserveSignInAttempt(
      services.db,
      { source: `ip:${meta.ip ?? 'unknown'}`, accounts: [] },
      now,
    );
    if (!found) await recordSourceFailure(services.db, r);
    else await refundSignInAttempt(services.db, r);
    throw new DomainError('MFA_CHALLENGE_INVALID');
  }
  const methods = await secondFactorMethodsOf(services.db, found, phishingResistantOnlyFor(found));
  const user = { orgId: found.org_id, userId: found.id };
  const options = methods.includes('WEBAUTHN')
    ? await requestOptionsForUser(services.db, services.config, user)
    : null;
  if (!options) throw new DomainError('MFA_METHOD_NOT_AVAILABLE');
  const expiresAt = await storeChallenge(
    services.db,
    options.challenge,
    { purpose: 'second_factor', ceremonyId: input.challengeId, ...user },
    now,
  );
  return { options, expiresAt };
}
