import { z } from 'zod';
import { DomainError } from '../errors.js';
import {
  recordSignInFailure,
  refundSignInAttempt,
  reserveSignInAttempt,
  type SignInFailureReason,
} from '../security/sign-in-throttle.js';
import { accountSuspended, completeSignIn, type Candidate, type SignedIn } from '../sessions/sign-in.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { consumeChallenge } from './passkey-challenges.js';
import { authenticationResponseSchema, challengeOf, relyingPartyOf } from './relying-party.js';
import { verifyPasskeyAssertion } from './verify-passkey-assertion.js';

export const finishPasskeySignInInput = z
  .object({
    ceremonyId: z.string().min(1).max(128),
    response: authenticationResponseSchema,
  })
  .strict();

const failed = () => new DomainError('SIGN_IN_FAILED');

/**
 * Anonymous: passwordless sign-in with a passkey. The credential named by the response finds its owner
 * (credential ids are unique); the attempt goes through the sign-in throttle like a password (the source's
 * and the account's leases; a locked account or source is not tried). The ceremony's challenge is used
 * once, then `verifyPasskeyAssertion` checks the assertion (origin, RP ID, user verification, counter).
 * A failure counts toward the source's lockout, and — when the credential is one of an account's — toward
 * that account's too (credential ids of discoverable passkeys are never handed out by the server, so a
 * stranger cannot aim failures at an account without its authenticator's id). A suspended account that
 * proved its passkey answers ACCOUNT_SUSPENDED, like the right password; every other refusal is
 * SIGN_IN_FAILED (or PASSKEY_CHALLENGE_INVALID for an unknown, used or expired ceremony). Success opens
 * the session through the sign-in completion path with `amr` [hwk, user] and `acr` aal2.
 */
export async function finishPasskeySignIn(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof finishPasskeySignInInput>,
): Promise<SignedIn> {
  const input = parseInput(finishPasskeySignInInput, raw);
  const now = services.clock.now();
  const candidate = (await services.db
    .selectFrom('passkeys as p')
    .innerJoin('users', (j) => j.onRef('users.org_id', '=', 'p.org_id').onRef('users.id', '=', 'p.user_id'))
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .selectAll('users')
    .select('organizations.settings as org_settings')
    .where('p.credential_id', '=', input.response.id)
    .executeTakeFirst()) as Candidate | undefined;

  const reservation = await reserveSignInAttempt(
    services.db,
    {
      source: `ip:${meta.ip ?? 'unknown'}`,
      accounts: candidate ? [{ id: candidate.id, orgId: candidate.org_id }] : [],
    },
    now,
  );
  if (!reservation.sourceAllowed) throw failed();
  const fail = async (reason: SignInFailureReason | null, err = failed()): Promise<never> => {
    await recordSignInFailure(
      services.db,
      reservation,
      candidate && reason ? [{ userId: candidate.id, reason }] : [],
      meta,
    );
    throw err;
  };

  const challenge = challengeOf(input.response.response.clientDataJSON);
  const live =
    challenge !== null &&
    (await consumeChallenge(
      services.db,
      challenge,
      { purpose: 'authentication', ceremonyId: input.ceremonyId },
      now,
    ));
  // An unknown, used or expired ceremony: a failure of the source only (the account proved nothing wrong).
  if (!live) return fail(null, new DomainError('PASSKEY_CHALLENGE_INVALID'));
  if (!candidate) return fail(null);
  if (reservation.accounts.get(candidate.id)?.allowed !== true) return fail(null);

  const result = await verifyPasskeyAssertion(services.db, {
    orgId: candidate.org_id,
    response: input.response,
    challenge: challenge!,
    relyingParty: relyingPartyOf(services.config),
    now,
  });
  if (!result.ok) {
    services.logger.info({ reason: result.reason }, 'passkey sign-in refused');
    return fail(result.reason === 'counter_regressed' ? 'passkey_counter_regressed' : 'passkey_invalid');
  }
  if (candidate.status === 'suspended') {
    await refundSignInAttempt(services.db, reservation);
    throw accountSuspended(candidate.suspended_until);
  }
  if (candidate.status !== 'active') return fail('not_active');
  try {
    return await completeSignIn(services, meta, candidate, 'passkey', reservation);
  } catch (err) {
    await refundSignInAttempt(services.db, reservation).catch(() => undefined);
    throw err;
  }
}
