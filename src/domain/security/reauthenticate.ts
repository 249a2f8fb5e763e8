import { z } from 'zod';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { SessionRow } from '../../db/schema.js';
import { withTransaction, type TransactionScope } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { issueAccessToken, type UserActor } from '../sessions/access-token.js';
import { sessionIsLive } from '../sessions/session-policy.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { verifyAgainstDummy, verifyPassword } from './password-hash.js';
import {
  recordSignInFailure,
  recordSignInSuccess,
  refundSignInAttempt,
  reserveSignInAttempt,
} from './sign-in-throttle.js';

export const reauthenticateInput = z.object({ password: z.string().max(1024) }).strict();

/**
 * What a re-authentication proved. The password is the only method today; a TOTP code or a passkey
 * verifies its own proof (through the same sign-in throttle) and then calls `markSessionReauthenticated`
 * with its method and RFC 8176 values (`otp`, `hwk`/`swk` + `user`).
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

/**
 * Step-up with the password: the signed-in person proves again who they are, and their session's
 * `auth_time` moves to now (no new session, no new refresh token). The password is checked like a
 * sign-in — the same leases and counters, the account's and the source's (sign-in-throttle.ts) — so a
 * stolen session cannot guess it faster than the sign-in page allows, and a locked account is not tried.
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

  const reservation = await reserveSignInAttempt(
    ctx.db,
    { source: `ip:${ctx.meta.ip ?? 'unknown'}`, accounts: [{ id: row.id, orgId: row.org_id }] },
    now,
  );
  const allowed = reservation.sourceAllowed && reservation.accounts.get(row.id)?.allowed === true;
  const ok =
    allowed && row.password_hash
      ? await verifyPassword(row.password_hash, input.password)
      : await verifyAgainstDummy(input.password);
  if (!ok) {
    await recordSignInFailure(
      ctx.db,
      reservation,
      [{ userId: row.id, reason: 'wrong_reauthentication_password' }],
      ctx.meta,
    );
    throw new DomainError(
      'CURRENT_PASSWORD_INCORRECT',
      allowed
        ? 'The password is not correct.'
        : 'Too many failed attempts for now: wait a few minutes, then try again.',
      { field: 'password' },
    );
  }
  try {
    const session = await withTransaction(ctx.db, async (scope) => {
      const s = await markSessionReauthenticated(scope, ctx, actor, { method: 'password', amr: ['pwd'] });
      await recordSignInSuccess(scope, ctx.db, reservation, actor.userId);
      return s;
    });
    return await reauthenticatedToken(ctx, actor, session);
  } catch (err) {
    // Not a failed guess (the password was right): the attempt goes back uncounted.
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
