import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import {
  recordSignInFailure,
  recordSourceFailure,
  refundSignInAttempt,
  reserveSignInAttempt,
} from '../security/sign-in-throttle.js';
import { defaultAuthentication, type SessionAuthentication } from '../sessions/create-session.js';
import { completeSignIn, type Candidate, type SignedIn } from '../sessions/sign-in.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { consumeChallenge } from '../passkeys/passkey-challenges.js';
import { authenticationResponseSchema, challengeOf, relyingPartyOf } from '../passkeys/relying-party.js';
import { verifyPasskeyAssertion } from '../passkeys/verify-passkey-assertion.js';
import {
  confirmedTotpFactorOf,
  phishingResistantOnlyFor,
  secondFactorMethodsOf,
  type SecondFactorMethod,
} from './factors.js';
import { challengeRules, findMfaChallenge, mfaChallengeUsable } from './mfa-challenge.js';
import { spendRecoveryCode } from './recovery-code-store.js';
import { spendTotpCode } from './spend-totp.js';

/** The second step's proof: exactly one method. */
export const completeMfaSignInInput = z
  .object({
    challengeId: z.string().min(1).max(200),
    totpCode: z.string().max(32).nullish(),
    recoveryCode: z.string().max(64).nullish(),
    /** The AuthenticationResponseJSON for the options of `beginSecondFactorPasskey`. */
    webauthnAssertion: authenticationResponseSchema.nullish(),
  })
  .strict()
  .refine((i) => [i.totpCode, i.recoveryCode, i.webauthnAssertion].filter((v) => !!v).length === 1, {
    message: 'Give exactly one of totpCode, recoveryCode or webauthnAssertion.',
    path: ['totpCode'],
  });

type Proof =
  | { method: 'totp'; code: string }
  | { method: 'recovery_code'; code: string }
  | { method: 'webauthn'; response: AuthenticationResponseJSON };

const methodOf: Record<Proof['method'], SecondFactorMethod> = {
  totp: 'TOTP',
  recovery_code: 'RECOVERY_CODE',
  webauthn: 'WEBAUTHN',
};

/**
 * What a recovery code proves. NIST SP 800-63B counts a look-up secret as a second factor, so password +
 * recovery code is multi-factor (AAL2), like password + TOTP; RFC 8176 has no value for look-up secrets,
 * and `otp` (a one-time password) is what a single-use code is. The session's `auth_method` says
 * `recovery_code`, so the sessions list and the audit trail tell it apart from the app.
 */
const recoveryCodeAuthentication: SessionAuthentication = { amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' };

/**
 * What a password and a passkey prove: RFC 8176 `pwd` + `hwk` (proof of possession of a key, as the
 * passwordless sign-in records it) + `user` (the authenticator verified the person: required, so always
 * present here) + `mfa`. The level is aal2: two factors, one of them phishing-resistant. Not aal3: with
 * attestation `none` nothing proves the key is hardware-bound and non-exportable (synced passkeys are not),
 * which NIST SP 800-63B-4 asks of AAL3.
 */
export function passwordAndPasskeyAuthentication(userVerified: boolean): SessionAuthentication {
  return { amr: ['pwd', 'hwk', ...(userVerified ? ['user'] : []), 'mfa'], acr: 'aal2' };
}

/** A refused proof: the code the caller sees, by method (each counts as a failed second step). */
class ProofRefused extends Error {
  constructor(
    readonly code: 'MFA_CODE_INVALID' | 'PASSKEY_VERIFICATION_FAILED' | 'PASSKEY_CHALLENGE_INVALID',
  ) {
    super(code);
  }
}

const challengeInvalid = () => new DomainError('MFA_CHALLENGE_INVALID');

/**
 * The sign-in's second step (`completeSignIn` over GraphQL). Anonymous: the challenge id from `signIn` is
 * the credential of the first step. Every attempt goes through the sign-in throttle with the account and
 * the source (one shared counter with the password step): a wrong code counts a failure and may lock the
 * account, a locked account is not tried. The challenge allows `challengeRules.maxAttempts` attempts, then
 * dies; it is used once: marking it used and spending the code happen in one transaction, so two
 * submissions (even with different methods) cannot both open a session. A success opens the session with
 * amr/acr of two factors and resets the account's failure count (NIST: consecutive failures).
 */
export async function completeMfaSignIn(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof completeMfaSignInInput>,
): Promise<SignedIn> {
  const input = parseInput(completeMfaSignInInput, raw);
  const proof: Proof = input.totpCode
    ? { method: 'totp', code: input.totpCode }
    : input.recoveryCode
      ? { method: 'recovery_code', code: input.recoveryCode }
      : { method: 'webauthn', response: input.webauthnAssertion! };
  const now = services.clock.now();
  const source = `ip:${meta.ip ?? 'unknown'}`;
  const found = await findMfaChallenge(services.db, input.challengeId);
  const usable = found && mfaChallengeUsable(found, now);
  if (!found || !usable) {
    // Not a guess at anyone's code: the source alone counts it (challenge ids are 256-bit; this only keeps
    // the endpoint from being a free oracle).
    const r = await reserveSignInAttempt(services.db, { source, accounts: [] }, now);
    if (!found) await recordSourceFailure(services.db, r);
    else await refundSignInAttempt(services.db, r);
    throw challengeInvalid();
  }
  const { challenge_pk, attempts: _a, challenge_used_at: _u, expires_at: _e, ...rest } = found;
  const candidate = rest as Candidate;
  // The methods this person may use now (a phishing-resistant role with a passkey: the passkey only). A
  // method not offered is refused before anything is checked; it is no guess at a secret, so not counted.
  const methods = await secondFactorMethodsOf(services.db, candidate, phishingResistantOnlyFor(candidate));
  if (!methods.includes(methodOf[proof.method])) {
    throw new DomainError('MFA_METHOD_NOT_AVAILABLE', undefined, { field: fieldOf(proof) });
  }

  const reservation = await reserveSignInAttempt(
    services.db,
    { source, accounts: [{ id: candidate.id, orgId: candidate.org_id }] },
    now,
  );
  const allowed = reservation.sourceAllowed && reservation.accounts.get(candidate.id)?.allowed === true;
  if (!allowed) {
    await refundSignInAttempt(services.db, reservation);
    throw new DomainError(
      'MFA_CODE_INVALID',
      'Too many failed attempts for now: wait a few minutes, then try again.',
    );
  }
  // One attempt of the challenge taken, atomically (a challenge allows only so many).
  const taken = await services.db
    .updateTable('mfa_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challenge_pk)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .where('attempts', '<', challengeRules.maxAttempts)
    .returning('attempts')
    .executeTakeFirst();
  if (!taken) {
    await refundSignInAttempt(services.db, reservation);
    throw challengeInvalid();
  }

  let accepted: SecondFactorResult | null = null;
  try {
    // A passkey's WebAuthn challenge is used before the transaction (autocommit), so a refused assertion
    // cannot be tried again when the transaction rolls back: the client asks for new options.
    const webauthnChallenge =
      proof.method === 'webauthn'
        ? await consumeSecondFactorChallenge(services, candidate, proof, input.challengeId, now)
        : null;
    accepted = await withTransaction(services.db, async ({ trx }) => {
      const used = await trx
        .updateTable('mfa_challenges')
        .set({ used_at: now })
        .where('id', '=', challenge_pk)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!used) throw challengeInvalid();
      const result = await checkSecondFactor(services, trx, candidate, proof, webauthnChallenge, now);
      // Not accepted: roll back, so the challenge stays usable for its remaining attempts.
      if (!result)
        throw new ProofRefused(
          proof.method === 'webauthn' ? 'PASSKEY_VERIFICATION_FAILED' : 'MFA_CODE_INVALID',
        );
      if (proof.method === 'recovery_code') {
        await recordAuditEvent(
          trx,
          candidate.org_id,
          { actor: { type: 'system', orgId: candidate.org_id, name: 'sign-in' }, meta, now },
          { action: 'user.recovery_code_used', targetType: 'user', targetId: candidate.id },
        );
      }
      return result;
    });
  } catch (err) {
    if (err instanceof ProofRefused) {
      await recordSignInFailure(
        services.db,
        reservation,
        [{ userId: candidate.id, reason: 'second_factor' }],
        meta,
      );
      const left = challengeRules.maxAttempts - taken.attempts;
      throw new DomainError(
        err.code,
        left > 0
          ? undefined
          : `${proof.method === 'webauthn' ? 'The passkey could not be verified' : 'The code is not correct'}. Too many tries for this sign-in: sign in again.`,
        { field: fieldOf(proof), attemptsLeft: left },
      );
    }
    await refundSignInAttempt(services.db, reservation).catch(() => undefined);
    throw err;
  }
  if (!accepted) throw challengeInvalid();
  const done = accepted;
  try {
    return await completeSignIn(
      services,
      meta,
      candidate,
      proof.method === 'webauthn' ? 'password_passkey' : proof.method,
      reservation,
      proof.method === 'totp'
        ? defaultAuthentication('totp')
        : proof.method === 'recovery_code'
          ? recoveryCodeAuthentication
          : passwordAndPasskeyAuthentication(done.userVerified),
    );
  } catch (err) {
    await refundSignInAttempt(services.db, reservation).catch(() => undefined);
    throw err;
  }
}

const fieldOf = (p: Proof) =>
  p.method === 'totp' ? 'totpCode' : p.method === 'recovery_code' ? 'recoveryCode' : 'webauthnAssertion';

interface SecondFactorResult {
  /** For a passkey: whether the authenticator verified the person (`amr` user). */
  userVerified: boolean;
}

/**
 * Uses the WebAuthn challenge the assertion answers, if it is this MFA challenge's and this user's
 * (`second_factor`, beginSecondFactorPasskey); a replayed, expired or foreign one is refused (and counted).
 */
async function consumeSecondFactorChallenge(
  services: Services,
  user: Candidate,
  proof: Extract<Proof, { method: 'webauthn' }>,
  challengeId: string,
  now: Date,
): Promise<string> {
  const challenge = challengeOf(proof.response.response.clientDataJSON);
  const live =
    challenge !== null &&
    (await consumeChallenge(
      services.db,
      challenge,
      { purpose: 'second_factor', ceremonyId: challengeId, orgId: user.org_id, userId: user.id },
      now,
    ));
  if (!live) throw new ProofRefused('PASSKEY_CHALLENGE_INVALID');
  return challenge;
}

/** Checks and spends the proof; null when it is refused. */
async function checkSecondFactor(
  services: Services,
  trx: Parameters<typeof spendRecoveryCode>[0],
  user: Candidate,
  proof: Proof,
  webauthnChallenge: string | null,
  now: Date,
): Promise<SecondFactorResult | null> {
  switch (proof.method) {
    case 'totp': {
      const factor = await confirmedTotpFactorOf(trx, user);
      const ok = !!factor && (await spendTotpCode(trx, services.config, factor, proof.code, now));
      return ok ? { userVerified: false } : null;
    }
    case 'recovery_code': {
      // Recovery codes back a factor up: without a confirmed factor they are not a way in.
      if (!(await confirmedTotpFactorOf(trx, user))) return null;
      return (await spendRecoveryCode(trx, user, proof.code, now)) ? { userVerified: false } : null;
    }
    case 'webauthn': {
      // Only this user's passkeys (another person's credential is unknown here); counter and last use
      // written as in passwordless sign-in, in this transaction.
      const result = await verifyPasskeyAssertion(trx, {
        orgId: user.org_id,
        userId: user.id,
        response: proof.response,
        challenge: webauthnChallenge!,
        relyingParty: relyingPartyOf(services.config),
        now,
      });
      if (!result.ok) {
        services.logger.info({ reason: result.reason }, 'passkey second factor refused');
        return null;
      }
      return { userVerified: result.userVerified };
    }
  }
}
