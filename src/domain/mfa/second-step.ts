import type { Services } from '../shared/context.js';
import { phishingResistantOnlyFor, secondFactorMethodsOf } from './factors.js';
import { issueMfaChallenge, type IssuedMfaChallenge } from './mfa-challenge.js';

/**
 * After a right password: a challenge for the second step when the person has a second factor, else null
 * (the password alone signs in). The one place sign-in.ts asks about factors. A passkey is a second
 * factor too (WEBAUTHN); a phishing-resistant role with a passkey is offered only the passkey (factors.ts).
 */
export async function secondFactorChallengeFor(
  services: Services,
  user: { org_id: string; id: string; role: string; org_settings: Record<string, unknown> },
  now: Date,
): Promise<IssuedMfaChallenge | null> {
  const methods = await secondFactorMethodsOf(services.db, user, phishingResistantOnlyFor(user));
  if (methods.length === 0) return null;
  return issueMfaChallenge(services.db, user, methods, now);
}
