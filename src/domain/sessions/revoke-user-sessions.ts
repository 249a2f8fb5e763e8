import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { revokeSessions } from './revoke-sessions.js';
import { notify } from '../notifications/notify.js';

export const revokeUserSessionsInput = z
  .object({
    userId: z.string().max(64),
    /** Only this session; every session of the user when absent. */
    sessionId: z.string().max(64).nullish(),
  })
  .strict();

/**
 * Signs a user out: one session or all of them. Your own sessions need no permission; anyone else's needs
 * `users:revoke_sessions` over them (org-wide, or as a manager of their primary department's subtree). Every outstanding access token of those sessions fails on its next request.
 */
export async function revokeUserSessions(
  ctx: CommandContext,
  raw: z.input<typeof revokeUserSessionsInput>,
): Promise<{ revokedCount: number }> {
  const self = ctx.actor.type === 'user' && (raw as { userId?: unknown })?.userId === ctx.actor.userId;
  if (!self) await authorizeAnywhere(ctx, 'users:revoke_sessions');
  const input = parseInput(revokeUserSessionsInput, raw);
  const now = ctx.clock.now();
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    if (!isUuid(input.userId)) throw new DomainError('NOT_FOUND');
    const user = await scope.trx
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', input.userId)
      .executeTakeFirst();
    if (!user) throw new DomainError('NOT_FOUND');
    if (!self) await authorizeOnUser(ctx, scope.trx, 'users:revoke_sessions', user, 'write');
    if (input.sessionId) {
      const session = isUuid(input.sessionId)
        ? await scope.trx
            .selectFrom('sessions')
            .select('id')
            .where('org_id', '=', orgId)
            .where('user_id', '=', user.id)
            .where('id', '=', input.sessionId)
            .executeTakeFirst()
        : undefined;
      if (!session) throw new DomainError('NOT_FOUND');
    }
    const target = { orgId, userId: user.id, ...(input.sessionId ? { sessionId: input.sessionId } : {}) };
    const ids = await revokeSessions(scope, ctx.revocations, target, 'user.sessions_revoked', now);
    if (ids.length > 0) {
      await recordAuditEvent(
        scope.trx,
        orgId,
        { actor: ctx.actor, meta: ctx.meta, now },
        {
          action: 'user.sessions_revoked',
          targetType: 'user',
          targetId: user.id,
          changes: { sessionIds: ids },
        },
      );
      await notify(scope, ctx, { kind: 'sessions_revoked', userId: user.id, sessionIds: ids });
    }
    return { revokedCount: ids.length };
  });
}
