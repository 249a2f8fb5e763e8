import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { Permission } from '../../authz/permissions.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction, type TransactionScope } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import { bumpVersion, checkVersion, guardLastOwner, lockUser, statusState } from './user-record.js';
import { transition, type LifecycleEvent } from './user-status.js';
import { lifecycleNotice, notify } from '../notifications/notify.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import { actorUserId } from '../shared/context.js';
import { revokePersonalTokensOf } from '../api-credentials/revoke-personal-tokens-of.js';

export interface LifecycleOptions {
  expectedVersion?: number | null | undefined;
  /** Refuse when the actor targets itself (suspending or deactivating yourself). */
  refuseSelf?: boolean;
  /**
   * The permission the change needs on this user: checked on the locked row, so a department manager acts
   * only on the users of its subtrees whose role it could grant, as they are at this moment (see `mayActOn`).
   * Absent for changes the system makes on its own (end of a suspension, accepting an invitation).
   */
  permission?: Permission;
  /** Step-up: the actor's session must have authenticated recently (`requireRecentAuthentication`). */
  recentAuthentication?: boolean;
}

/**
 * Applies one lifecycle event to a user: lock, check, pure transition, write, audit, revoke — all in one
 * transaction. Every status change of a user goes through here.
 */
export async function applyLifecycleEvent(
  ctx: CommandContext,
  userId: string,
  event: LifecycleEvent,
  options: LifecycleOptions = {},
): Promise<UserRow> {
  // Loads the actor's access before the transaction: inside it only the transaction may use the database.
  if (options.permission) await authorizeAnywhere(ctx, options.permission);
  return withTransaction(ctx.db, (scope) => applyLifecycleEventIn(scope, ctx, userId, event, options));
}

export async function applyLifecycleEventIn(
  scope: TransactionScope,
  ctx: CommandContext,
  userId: string,
  event: LifecycleEvent,
  options: LifecycleOptions = {},
): Promise<UserRow> {
  const now = ctx.clock.now();
  const orgId = ctx.actor.orgId;
  const user = await lockUser(scope.trx, orgId, userId);
  if (options.permission) await authorizeOnUser(ctx, scope.trx, options.permission, user, 'write');
  checkVersion(user, options.expectedVersion);
  if (options.refuseSelf && actorUserId(ctx.actor) === user.id) {
    throw new DomainError('CANNOT_TARGET_SELF');
  }
  if (options.recentAuthentication) await requireRecentAuthentication(ctx, scope.trx);
  const t = transition(statusState(user), event, now);
  if (t.next.status !== 'active') await guardLastOwner(scope.trx, user);

  const updated = await scope.trx
    .updateTable('users')
    .set({
      status: t.next.status,
      status_reason: t.next.statusReason,
      suspended_until: t.next.suspendedUntil,
      status_changed_at: now,
      updated_at: now,
      version: bumpVersion,
      ...(event.type === 'accept_invitation' ? { activated_at: now } : {}),
    })
    .where('org_id', '=', orgId)
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();

  await recordAuditEvent(
    scope.trx,
    orgId,
    { actor: ctx.actor, meta: ctx.meta, now },
    {
      action: t.action,
      targetType: 'user',
      targetId: user.id,
      changes: {
        status: { from: user.status, to: updated.status },
        ...(user.suspended_until?.getTime() !== updated.suspended_until?.getTime()
          ? { suspendedUntil: { from: user.suspended_until, to: updated.suspended_until } }
          : {}),
      },
      reason: 'reason' in event ? t.next.statusReason : null,
    },
  );
  if (t.revokeSessions) {
    await revokeSessions(scope, ctx.revocations, { orgId, userId: user.id }, t.action, now);
    await revokePersonalTokensOf(scope.trx, orgId, user.id, now);
  }
  // Acceptance notifies after it has set the profile (acceptInvitation), so notices carry the chosen name.
  if (event.type !== 'accept_invitation') await notify(scope, ctx, lifecycleNotice(t.action, updated));
  return updated;
}
