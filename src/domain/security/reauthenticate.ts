import { z } from 'zod';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { SessionRow } from '../../db/schema.js';
import { withTransaction, type TransactionScope, type Tx } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { issueAccessToken, type UserActor } from '../sessions/access-token.js';
import { sessionIsLive } from '../sessions/session-policy.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { confirmedTotpFactorOf } from '../mfa/factors.js';
import { spendTotpCode } from '../mfa/spend-totp.js';
import { consumeChallenge } from '../passkeys/passkey-challenges.js';
import { authenticationResponseSchema, challengeOf, relyingPartyOf } from '../passkeys/relying-party.js';
import { verifyPasskeyAssertion } from '../passkeys/verify-passkey-assertion.js';
import { confirmOwnPassword } from './confirm-own-password.js';
import {
  recordSignInFailure,
  recordSignInSuccess,
  refundSignInAttempt,
  reserveSignInAttempt,
  type SignInFailureReason,
  type SignInReservation,
} from './sign-in-throttle.js';

export const reauthenticateInput = z
  .object({
    password: z.string().max(1024).nullish(),
    /** A code from the person's authenticator app (spent like at sign-in: used once). */
    totpCode: z.string().max(32).nullish(),
    /** The AuthenticationResponseJSON for the options of `beginReauthenticationPasskey`. */
    passkeyAssertion: authenticationResponseSchema.nullish(),
  })
  .strict()
  .refine((i) => [i.password, i.totpCode, i.passkeyAssertion].filter((v) => v != null).length === 1, {
    message: 'Give exactly one of password, totpCode or passkeyAssertion.',
    path: ['password'],
  });

/**
 * What a re-authentication proved, with its RFC 8176 values: the password (`pwd`), an app code (`otp`),
 * a passkey (`hwk`, and `user` when the authenticator verified the person).
 */
export interface ReauthenticationProof {
  method: 'password' | 'totp' | 'passkey';
  amr: string[];
}

export interface Reauthenticated {
  accessToken: string;
  expiresAt: Date;
  authenticatedAt: Date;
}

/** A proof refused inside the transaction (rolled back), counted as a failure after it. */
class ProofRefused extends Error {
  constructor(readonly error: DomainError) {
    super(error.code);
  }
}

/**
 * Step-up: the signed-in person proves again who they are — with their password, a code from their
 * authenticator app, or one of their passkeys (the issue's "password or factor") — and their session's
 * `auth_time` moves to now (no new session, no new refresh token). Every method goes through the sign-in
 * throttle like a sign-in — the same leases and counters, the account's and the source's — so a stolen
 * session cannot guess faster than the sign-in page allows, and a locked account is not tried; a wrong
 * password, code or assertion counts a failure. A code is spent like at sign-in (it and earlier ones work
 * once); a passkey answers options bound to this session (`beginReauthenticationPasskey`, single use).
 * The MFA policy's phishing-resistant roles do not narrow the methods here: step-up re-proves the holder of
 * a session whose level the sign-in set, and the password (weaker than an app code) is always accepted.
 * Returns a fresh access token carrying the new `auth_time`.
 */
export async function reauthenticate(
  ctx: CommandContext,
  raw: z.input<typeof reauthenticateInput>,
): Promise<Reauthenticated> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(reauthenticateInput, raw);
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('users')
    .select(['id', 'org_id', 'password_hash', 'status'])
    .where('org_id', '=', actor.orgId)
    .where('id', '=', actor.userId)
    .executeTakeFirst();
  if (!row || row.status !== 'active') throw new DomainError('UNAUTHENTICATED');

  if (input.password != null) {
    const reservation = await confirmOwnPassword(ctx, row, input.password, {
      reason: 'wrong_reauthentication_password',
      field: 'password',
      wrongMessage: 'The password is not correct.',
      now,
    });
    return markAndIssue(ctx, actor, reservation, async () => ({ method: 'password', amr: ['pwd'] }));
  }
  if (input.totpCode != null) {
    const code = input.totpCode.replace(/\s+/g, '');
    const factor = await confirmedTotpFactorOf(ctx.db, row);
    if (!factor) throw new DomainError('MFA_METHOD_NOT_AVAILABLE', undefined, { field: 'totpCode' });
    const reservation = await reserveOrRefuse(ctx, row, now, 'MFA_CODE_INVALID', 'totpCode');
    return markAndIssue(
      ctx,
      actor,
      reservation,
      async (trx) => {
        if (!(await spendTotpCode(trx, ctx.config, factor, code, now))) {
          throw new ProofRefused(new DomainError('MFA_CODE_INVALID', undefined, { field: 'totpCode' }));
        }
        return { method: 'totp', amr: ['otp'] };
      },
      'wrong_reauthentication_code',
    );
  }

  const response = input.passkeyAssertion!;
  const reservation = await reserveOrRefuse(ctx, row, now, 'PASSKEY_VERIFICATION_FAILED', 'passkeyAssertion');
  // Used before the transaction (autocommit): a refused assertion cannot be tried again on rollback.
  const challenge = challengeOf(response.response.clientDataJSON);
  const live =
    challenge !== null &&
    (await consumeChallenge(
      ctx.db,
      challenge,
      { purpose: 'reauthentication', orgId: actor.orgId, userId: actor.userId, sessionId: actor.sessionId },
      now,
    ));
  if (!live) {
    await recordSignInFailure(
      ctx.db,
      reservation,
      [{ userId: row.id, reason: 'reauthentication_passkey_invalid' }],
      ctx.meta,
    );
    throw new DomainError('PASSKEY_CHALLENGE_INVALID', undefined, { field: 'passkeyAssertion' });
  }
  return markAndIssue(
    ctx,
    actor,
    reservation,
    async (trx) => {
      const result = await verifyPasskeyAssertion(trx, {
        orgId: actor.orgId,
        userId: actor.userId,
        response,
        challenge: challenge!,
        relyingParty: relyingPartyOf(ctx.config),
        now,
      });
      if (!result.ok) {
        ctx.logger.info({ reason: result.reason }, 'passkey step-up refused');
        throw new ProofRefused(
          new DomainError('PASSKEY_VERIFICATION_FAILED', undefined, { field: 'passkeyAssertion' }),
        );
      }
      return { method: 'passkey', amr: ['hwk', ...(result.userVerified ? ['user'] : [])] };
    },
    'reauthentication_passkey_invalid',
  );
}

/** The account's and the source's leases; a locked one is refused (not tried, nothing counted). */
async function reserveOrRefuse(
  ctx: CommandContext,
  row: { id: string; org_id: string },
  now: Date,
  code: 'MFA_CODE_INVALID' | 'PASSKEY_VERIFICATION_FAILED',
  field: string,
): Promise<SignInReservation> {
  const reservation = await reserveSignInAttempt(
    ctx.db,
    { source: `ip:${ctx.meta.ip ?? 'unknown'}`, accounts: [{ id: row.id, orgId: row.org_id }] },
    now,
  );
  if (reservation.sourceAllowed && reservation.accounts.get(row.id)?.allowed === true) return reservation;
  await refundSignInAttempt(ctx.db, reservation);
  throw new DomainError(code, 'Too many failed attempts for now: wait a few minutes, then try again.', {
    field,
  });
}

/**
 * One transaction: the session marked re-authenticated (the user's row lock, then the session's), then the
 * factor's proof checked and spent under it (the factor's or passkey's row: after the user's, the lock
 * order), the attempt recorded as a success. A refused proof rolls it all back and counts `failure`.
 */
async function markAndIssue(
  ctx: CommandContext,
  actor: UserActor,
  reservation: SignInReservation,
  prove: (trx: Tx) => Promise<ReauthenticationProof>,
  failure?: SignInFailureReason,
): Promise<Reauthenticated> {
  try {
    const session = await withTransaction(ctx.db, async (scope) => {
      const user = await lockUser(scope.trx, actor.orgId, actor.userId);
      if (user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
      const proof = await prove(scope.trx);
      const s = await markSessionReauthenticated(scope, ctx, actor, proof);
      await recordSignInSuccess(scope, ctx.db, reservation, actor.userId);
      return s;
    });
    return await reauthenticatedToken(ctx, actor, session);
  } catch (err) {
    if (err instanceof ProofRefused && failure) {
      await recordSignInFailure(ctx.db, reservation, [{ userId: actor.userId, reason: failure }], ctx.meta);
      throw err.error;
    }
    // Not a failed guess (the proof was right): the attempt goes back uncounted.
    await refundSignInAttempt(ctx.db, reservation).catch(() => undefined);
    throw err;
  }
}

/**
 * In the caller's transaction, after the proof was verified: under the user's row lock (then the
 * session's, the lock order), the live session's `auth_time` becomes now and its `amr` gains what was
 * proved; `acr` stays what the sign-in reached (NIST SP 800-63B allows re-authenticating a session with
 * one factor within its lifetimes). Audited `session.reauthenticated`.
 */
export async function markSessionReauthenticated(
  scope: TransactionScope,
  ctx: CommandContext,
  actor: UserActor,
  proof: ReauthenticationProof,
): Promise<ReauthenticatedSession> {
  const now = ctx.clock.now();
  const user = await lockUser(scope.trx, actor.orgId, actor.userId);
  if (user.status !== 'active' || !isRoleKey(user.role)) throw new DomainError('UNAUTHENTICATED');
  const role = user.role;
  const current = await scope.trx
    .selectFrom('sessions')
    .selectAll()
    .where('org_id', '=', actor.orgId)
    .where('user_id', '=', actor.userId)
    .where('id', '=', actor.sessionId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!current || !sessionIsLive(current, now)) throw new DomainError('SESSION_INVALID');
  const amr = [...new Set([...current.amr, ...proof.amr])];
  const session = await scope.trx
    .updateTable('sessions')
    .set({ auth_time: now, amr })
    .where('org_id', '=', actor.orgId)
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAuditEvent(
    scope.trx,
    actor.orgId,
    { actor, meta: ctx.meta, now },
    {
      action: 'session.reauthenticated',
      targetType: 'user',
      targetId: actor.userId,
      changes: {
        sessionId: session.id,
        method: proof.method,
        amr: session.amr,
        previousAuthTime: current.auth_time.toISOString(),
      },
    },
  );
  return { session, role };
}

export interface ReauthenticatedSession {
  session: SessionRow;
  /** The user's role as it is now (the token in hand may name an older one). */
  role: RoleKey;
}

/** After commit: an access token for the session carrying its new `auth_time`. */
export async function reauthenticatedToken(
  ctx: CommandContext,
  actor: UserActor,
  { session, role }: ReauthenticatedSession,
): Promise<Reauthenticated> {
  const { accessToken, expiresAt } = await issueAccessToken(ctx, {
    userId: actor.userId,
    orgId: actor.orgId,
    role,
    sessionId: session.id,
    notAfter: session.absolute_expires_at,
    authentication: { amr: session.amr, acr: session.acr, authTime: session.auth_time },
  });
  return { accessToken, expiresAt, authenticatedAt: session.auth_time };
}
