import type { UserRow } from '../../db/schema.js';
import type { TransactionScope } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { notify } from '../notifications/notify.js';
import { actorUserId, type CommandContext } from '../shared/context.js';
import { issuePasswordReset } from './password-reset-link.js';

/**
 * Inside the caller's transaction, with the user locked and known to be active: issues a new reset link
 * (ending older ones), audits it (asked for by the person, or sent by an administrator) and queues the
 * email that carries it. Shared by requestPasswordReset and sendPasswordReset.
 */
export async function issueAndSendPasswordReset(
  scope: TransactionScope,
  ctx: CommandContext,
  s: {
    user: UserRow;
    now: Date;
    /** `provisioned`: the first password of an account an identity provider created (SCIM). */
    requestedBy: 'self' | 'administrator' | 'provisioned';
    token?: string;
  },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const { user, now } = s;
  const reset = await issuePasswordReset(scope.trx, {
    orgId: user.org_id,
    userId: user.id,
    requestedBy: s.requestedBy === 'administrator' ? actorUserId(ctx.actor) : null,
    now,
    ...(s.token ? { token: s.token } : {}),
  });
  await recordAuditEvent(
    scope.trx,
    user.org_id,
    { actor: ctx.actor, meta: ctx.meta, now },
    {
      action: s.requestedBy === 'self' ? 'user.password_reset_requested' : 'user.password_reset_sent',
      targetType: 'user',
      targetId: user.id,
      changes: { resetId: reset.id, expiresAt: reset.expiresAt.toISOString() },
    },
  );
  await notify(scope, ctx, {
    kind: 'password_reset',
    resetId: reset.id,
    userId: user.id,
    token: reset.token,
    expiresAt: reset.expiresAt,
    requestedBy: s.requestedBy,
  });
  return reset;
}
