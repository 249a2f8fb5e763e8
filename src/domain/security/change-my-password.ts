import { sql } from 'kysely';
import { z } from 'zod';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { bumpVersion, lockUser } from '../users/user-record.js';
import { hasConfirmedFactor } from '../mfa/factors.js';
import { confirmOwnPassword } from './confirm-own-password.js';
import { hashPassword } from './password-hash.js';
import { assertPasswordAcceptable } from './password-policy.js';
import { endPasswordResets } from './password-reset-link.js';
import { endSessionsOnPasswordChangeOf, minPasswordLengthOf } from './password-settings.js';
import { recordSignInSuccess, refundSignInAttempt } from './sign-in-throttle.js';

export const changeMyPasswordInput = z
  .object({
    currentPassword: z.string().max(1024),
    /** Bounded here only against abuse; the password policy gives the real rules and messages. */
    newPassword: z.string().max(4096),
  })
  .strict();

/**
 * The signed-in user changes their own password. The current password is checked like a sign-in
 * (`confirmOwnPassword`: a wrong one counts a failure and may lock the account, a locked account is not
 * tried). The new one goes through the one
 * policy with the organisation's minimum length. Then, in one transaction: the hash, the account's
 * failure count cleared, its reset links ended, its other sessions ended when the organisation's
 * `endSessionsOnPasswordChange` is on (the default; this session stays), `user.password_changed` audited
 * and the security notice emailed.
 */
export async function changeMyPassword(
  ctx: CommandContext,
  raw: z.input<typeof changeMyPasswordInput>,
): Promise<{ user: UserRow; endedSessions: number }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(changeMyPasswordInput, raw);
  const now = ctx.clock.now();
  const row = await ctx.db
    .selectFrom('users as u')
    .innerJoin('organizations as o', 'o.id', 'u.org_id')
    .select(['u.id', 'u.org_id', 'u.email', 'u.display_name', 'u.password_hash', 'u.status'])
    .select(['o.name as org_name', 'o.slug as org_slug', 'o.settings as org_settings'])
    .where('u.org_id', '=', actor.orgId)
    .where('u.id', '=', actor.userId)
    .executeTakeFirst();
  if (!row || row.status !== 'active') throw new DomainError('UNAUTHENTICATED');

  const reservation = await confirmOwnPassword(ctx, row, input.currentPassword, {
    reason: 'wrong_current_password',
    field: 'currentPassword',
    wrongMessage: 'The current password is not correct.',
    now,
  });
  const settings = row.org_settings;
  try {
    assertPasswordAcceptable(input.newPassword, {
      email: row.email,
      displayName: row.display_name,
      organizationName: row.org_name,
      organizationSlug: row.org_slug,
      minLength: minPasswordLengthOf(settings),
      hasMfa: await hasConfirmedFactor(ctx.db, row),
      field: 'newPassword',
    });
    const passwordHash = await hashPassword(input.newPassword);
    return await withTransaction(ctx.db, async (scope) => {
      const user = await lockUser(scope.trx, actor.orgId, actor.userId);
      if (user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
      // Changed meanwhile (another session, a reset): the current password proven is no longer current.
      if (user.password_hash !== row.password_hash) throw new DomainError('VERSION_CONFLICT');
      const lease = reservation.accounts.get(user.id)?.lease ?? null;
      const updated = await scope.trx
        .updateTable('users')
        .set({
          password_hash: passwordHash,
          password_changed_at: now,
          failed_login_count: 0,
          locked_until: null,
          sign_in_leases: lease ? sql`sign_in_leases - ${lease}::text` : sql`sign_in_leases`,
          updated_at: now,
          version: bumpVersion,
        })
        .where('org_id', '=', user.org_id)
        .where('id', '=', user.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordSignInSuccess(scope, ctx.db, reservation, user.id, { countReset: true });
      await endPasswordResets(scope.trx, { orgId: user.org_id, userId: user.id, now });
      const ended = endSessionsOnPasswordChangeOf(settings)
        ? await revokeSessions(
            scope,
            ctx.revocations,
            { orgId: user.org_id, userId: user.id, exceptSessionId: actor.sessionId },
            'user.password_changed',
            now,
          )
        : [];
      await recordAuditEvent(
        scope.trx,
        user.org_id,
        { actor, meta: ctx.meta, now },
        {
          action: 'user.password_changed',
          targetType: 'user',
          targetId: user.id,
          changes: { sessionsEnded: ended.length, keptSessionId: actor.sessionId },
        },
      );
      await notify(scope, ctx, {
        kind: 'password_changed',
        user: updated,
        how: 'changed',
        sessionCount: ended.length,
      });
      return { user: updated, endedSessions: ended.length };
    });
  } catch (err) {
    // Not a failed guess (the current password was right): the attempt goes back uncounted.
    await refundSignInAttempt(ctx.db, reservation).catch(() => undefined);
    throw err;
  }
}
