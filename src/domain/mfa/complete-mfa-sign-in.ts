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
import { confirmedTotpFactorOf } from './factors.js';
import { challengeRules, hashChallengeId } from './mfa-challenge.js';
import { spendRecoveryCode } from './recovery-code-store.js';
import { spendTotpCode } from './spend-totp.js';

/**
 * The second step's proof: exactly one method. The seam for passkeys: add `webauthnAssertion` here, a
 * 'WEBAUTHN' entry in `secondFactorMethodsOf`, and a branch in `checkSecondFactor`.
 */
export const completeMfaSignInInput = z
  .object({
    challengeId: z.string().min(1).max(200),
    totpCode: z.string().max(32).nullish(),
    recoveryCode: z.string().max(64).nullish(),
  })
  .strict()
  .refine((i) => [i.totpCode, i.recoveryCode].filter((v) => !!v).length === 1, {
    message: 'Give exactly one of totpCode or recoveryCode.',
    path: ['totpCode'],
  });

type Proof = { method: 'totp'; code: string } | { method: 'recovery_code'; code: string };

/**
 * What a recovery code proves. NIST SP 800-63B counts a look-up secret as a second factor, so password +
 * recovery code is multi-factor (AAL2), like password + TOTP; RFC 8176 has no value for look-up secrets,
 * and `otp` (a one-time password) is what a single-use code is. The session's `auth_method` says
 * `recovery_code`, so the sessions list and the audit trail tell it apart from the app.
 */
const recoveryCodeAuthentication: SessionAuthentication = { amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' };

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
    : { method: 'recovery_code', code: input.recoveryCode! };
  const now = services.clock.now();
  const source = `ip:${meta.ip ?? 'unknown'}`;
  const found = await services.db
    .selectFrom('mfa_challenges as c')
    .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'c.org_id').onRef('u.id', '=', 'c.user_id'))
    .innerJoin('organizations as o', 'o.id', 'c.org_id')
    .select(['c.id as challenge_pk', 'c.attempts', 'c.used_at as challenge_used_at', 'c.expires_at'])
    .selectAll('u')
    .select('o.settings as org_settings')
    .where('c.token_hash', '=', hashChallengeId(input.challengeId))
    .executeTakeFirst();
  const usable =
    found &&
    !found.challenge_used_at &&
    found.expires_at.getTime() > now.getTime() &&
    found.attempts < challengeRules.maxAttempts;
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

  let accepted = false;
  try {
    accepted = await withTransaction(services.db, async ({ trx }) => {
      const used = await trx
        .updateTable('mfa_challenges')
        .set({ used_at: now })
        .where('id', '=', challenge_pk)
        .where('used_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!used) throw challengeInvalid();
      const ok = await checkSecondFactor(services, trx, candidate, proof, now);
      // Not accepted: roll back, so the challenge stays usable for its remaining attempts.
      if (!ok) throw new DomainError('MFA_CODE_INVALID', undefined, { field: fieldOf(proof) });
      if (proof.method === 'recovery_code') {
        await recordAuditEvent(
          trx,
          candidate.org_id,
          { actor: { type: 'system', orgId: candidate.org_id, name: 'sign-in' }, meta, now },
          { action: 'user.recovery_code_used', targetType: 'user', targetId: candidate.id },
        );
      }
      return true;
    });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'MFA_CODE_INVALID') {
      await recordSignInFailure(
        services.db,
        reservation,
        [{ userId: candidate.id, reason: 'second_factor' }],
        meta,
      );
      const left = challengeRules.maxAttempts - taken.attempts;
      throw new DomainError(
        'MFA_CODE_INVALID',
        left > 0 ? undefined : 'The code is not correct. Too many tries for this sign-in: sign in again.',
        { field: fieldOf(proof), attemptsLeft: left },
      );
    }
    await refundSignInAttempt(services.db, reservation).catch(() => undefined);
    throw err;
  }
  if (!accepted) throw challengeInvalid();
  try {
    return await completeSignIn(
      services,
      meta,
      candidate,
      proof.method === 'totp' ? 'totp' : 'recovery_code',
      reservation,
      proof.method === 'totp' ? defaultAuthentication('totp') : recoveryCodeAuthentication,
    );
  } catch (err) {
    await refundSignInAttempt(services.db, reservation).catch(() => undefined);
    throw err;
  }
}

const fieldOf = (p: Proof) => (p.method === 'totp' ? 'totpCode' : 'recoveryCode');

/** Checks and spends the proof. A WebAuthn assertion becomes a third branch here. */
async function checkSecondFactor(
  services: Services,
  trx: Parameters<typeof spendRecoveryCode>[0],
  user: Candidate,
  proof: Proof,
  now: Date,
): Promise<boolean> {
  switch (proof.method) {
    case 'totp': {
      const factor = await confirmedTotpFactorOf(trx, user);
      return !!factor && (await spendTotpCode(trx, services.config, factor, proof.code, now));
    }
    case 'recovery_code': {
      // Recovery codes back a factor up: without a confirmed factor they are not a way in.
      if (!(await confirmedTotpFactorOf(trx, user))) return false;
      return spendRecoveryCode(trx, user, proof.code, now);
    }
  }
}
