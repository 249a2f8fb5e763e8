import { sql } from 'kysely';
import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import type { CommandContext, RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { bumpVersion, lockUser } from '../users/user-record.js';
import { hasConfirmedFactor } from '../mfa/factors.js';
import { hashPassword } from './password-hash.js';
import { assertPasswordAcceptable, minPasswordLength } from './password-policy.js';
import { endPasswordResets, hashResetToken } from './password-reset-link.js';
import { minPasswordLengthOf } from './password-settings.js';
import { recordSourceFailure, refundSignInAttempt, reserveSignInAttempt } from './sign-in-throttle.js';

export const passwordResetPreviewInput = z.object({ token: z.string().min(1).max(200) }).strict();

export const completePasswordResetInput = z
  .object({
    token: z.string().min(1).max(200),
    /** Bounded here only against abuse; the password policy gives the real rules and messages. */
    newPassword: z.string().max(4096),
  })
  .strict();

export interface PasswordResetPreview {
  email: string;
  organizationName: string;
  organizationSlug: string;
  displayName: string;
  expiresAt: Date;
  minPasswordLength: number;
}

const invalid = () => new DomainError('PASSWORD_RESET_INVALID');

/**
 * The link's row with what the policy needs, if the link can be used now: unknown, used, replaced, and a
 * link of an account that is no longer active all answer PASSWORD_RESET_INVALID; an expired one
 * PASSWORD_RESET_EXPIRED. Looked up anonymously: failures count on the source (`reset:ip:…`), with the
 * sign-in throttle's source counter, as invitation links do (with 256-bit tokens guessing is hopeless, but
 * an endpoint that answers without work must not be a free oracle).
 */
async function findUsableReset(services: Services, meta: RequestMeta, token: string) {
  const now = services.clock.now();
  const reservation = await reserveSignInAttempt(
    services.db,
    { source: `reset:ip:${meta.ip ?? 'unknown'}`, accounts: [] },
    now,
  );
  if (!reservation.sourceAllowed) throw invalid();
  const found = await services.db
    .selectFrom('password_resets as r')
    .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'r.org_id').onRef('u.id', '=', 'r.user_id'))
    .innerJoin('organizations as o', 'o.id', 'r.org_id')
    .select(['r.id', 'r.org_id', 'r.user_id', 'r.requested_by', 'r.expires_at', 'r.used_at', 'r.ended_at'])
    .select(['u.status', 'u.email', 'u.display_name'])
    .select(['o.name as org_name', 'o.slug as org_slug', 'o.settings as org_settings'])
    .where('r.token_hash', '=', hashResetToken(token))
    .executeTakeFirst();
  if (!found || found.used_at || found.ended_at || found.status !== 'active') {
    await recordSourceFailure(services.db, reservation);
    throw invalid();
  }
  await refundSignInAttempt(services.db, reservation);
  if (found.expires_at.getTime() <= now.getTime()) throw new DomainError('PASSWORD_RESET_EXPIRED');
  return found;
}

/** What the reset page shows before anything is typed: whose account, until when, how long a password. */
export async function previewPasswordReset(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof passwordResetPreviewInput>,
): Promise<PasswordResetPreview> {
  const input = parseInput(passwordResetPreviewInput, raw);
  const r = await findUsableReset(services, meta, input.token);
  return {
    email: r.email,
    displayName: r.display_name,
    organizationName: r.org_name,
    organizationSlug: r.org_slug,
    expiresAt: r.expires_at,
    // With a second factor enrolled NIST's floor is 8 (security/mfa-totp).
    minPasswordLength: minPasswordLength({
      minLength: minPasswordLengthOf(r.org_settings),
      hasMfa: await hasConfirmedFactor(services.db, { org_id: r.org_id, id: r.user_id }),
    }),
  };
}

/**
 * Sets a new password with a reset link: anonymous, the token is the credential. The link is used up by
 * one conditional UPDATE (used_at is null, not ended, not expired) under the user's row lock, so of 50
 * concurrent submissions exactly one succeeds. It ends EVERY session of the account (whoever knew the old
 * password is out), ends the account's other links, clears the lockout (failure count, lock, leases),
 * audits `user.password_reset` and emails the person that the password changed. It does not sign anyone
 * in, and only an active account can get here: a suspended, deactivated or invited one is refused.
 */
export async function completePasswordReset(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof completePasswordResetInput>,
): Promise<{ email: string; organizationSlug: string }> {
  const input = parseInput(completePasswordResetInput, raw);
  const found = await findUsableReset(services, meta, input.token);
  assertPasswordAcceptable(input.newPassword, {
    email: found.email,
    displayName: found.display_name,
    organizationName: found.org_name,
    organizationSlug: found.org_slug,
    minLength: minPasswordLengthOf(found.org_settings),
    hasMfa: await hasConfirmedFactor(services.db, { org_id: found.org_id, id: found.user_id }),
    field: 'newPassword',
  });
  // Hashed before the transaction: argon2 must not hold row locks or the embedded database's connection.
  const passwordHash = await hashPassword(input.newPassword);
  const ctx: CommandContext = {
    ...services,
    actor: { type: 'system', orgId: found.org_id, name: 'password-reset' },
    meta,
  };
  await withTransaction(services.db, async (scope) => {
    const { trx } = scope;
    const now = ctx.clock.now();
    const user = await lockUser(trx, found.org_id, found.user_id);
    const used = await trx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('org_id', '=', found.org_id)
      .where('id', '=', found.id)
      .where('used_at', 'is', null)
      .where('ended_at', 'is', null)
      .where('expires_at', '>', now)
      .returning('id')
      .executeTakeFirst();
    if (!used) throw invalid();
    // Suspended or deactivated since the link was sent: the link does nothing for them.
    if (user.status !== 'active') throw invalid();
    const updated = await trx
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        password_changed_at: now,
        failed_login_count: 0,
        locked_until: null,
        sign_in_leases: sql`'{}'::jsonb`,
        updated_at: now,
        version: bumpVersion,
      })
      .where('org_id', '=', user.org_id)
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await endPasswordResets(trx, { orgId: user.org_id, userId: user.id, now });
    const target = { orgId: user.org_id, userId: user.id };
    const ended = await revokeSessions(scope, ctx.revocations, target, 'user.password_reset', now);
    await recordAuditEvent(
      trx,
      user.org_id,
      { actor: ctx.actor, meta, now },
      {
        action: 'user.password_reset',
        targetType: 'user',
        targetId: user.id,
        changes: {
          resetId: found.id,
          sentBy: found.requested_by,
          sessionsEnded: ended.length,
          failedLoginCount: { from: user.failed_login_count, to: 0 },
          lockedUntil: { from: user.locked_until, to: null },
        },
      },
    );
    await notify(scope, ctx, {
      kind: 'password_changed',
      user: updated,
      how: 'reset',
      sessionCount: ended.length,
    });
  });
  return { email: found.email, organizationSlug: found.org_slug };
}
