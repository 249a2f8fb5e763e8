import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { revokeSessions } from './revoke-sessions.js';

function sessionActor(ctx: CommandContext) {
  // No permission is needed to end your own sessions, but only a signed-in user has any.
  if (ctx.actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  return ctx.actor;
}

/** Ends the session the request was made with. */
export async function signOut(ctx: CommandContext): Promise<void> {
  const actor = sessionActor(ctx);
  const now = ctx.clock.now();
  await withTransaction(ctx.db, async (scope) => {
    const target = { orgId: actor.orgId, userId: actor.userId, sessionId: actor.sessionId };
    const ids = await revokeSessions(scope, ctx.revocations, target, 'session.signed_out', now);
    if (ids.length === 0) return;
    await recordAuditEvent(
      scope.trx,
      actor.orgId,
      { actor, meta: ctx.meta, now },
      {
        action: 'session.signed_out',
        targetType: 'user',
        targetId: actor.userId,
        changes: { sessionId: actor.sessionId },
      },
    );
  });
}

/** Ends every other session of the signed-in user ("sign out everywhere else"); returns how many. */
export async function signOutOtherSessions(ctx: CommandContext): Promise<number> {
  const actor = sessionActor(ctx);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const target = { orgId: actor.orgId, userId: actor.userId, exceptSessionId: actor.sessionId };
    const ids = await revokeSessions(scope, ctx.revocations, target, 'user.sessions_revoked', now);
    if (ids.length > 0) {
      await recordAuditEvent(
        scope.trx,
        actor.orgId,
        { actor, meta: ctx.meta, now },
        {
          action: 'user.sessions_revoked',
          targetType: 'user',
          targetId: actor.userId,
          changes: { sessionIds: ids, keptSessionId: actor.sessionId },
        },
      );
    }
    return ids.length;
  });
}
