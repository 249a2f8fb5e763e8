import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { issueAndSendPasswordReset } from './send-reset-link.js';

export const sendPasswordResetInput = z.object({ userId: z.string().max(64) }).strict();

/**
 * An administrator sends a user a password reset link (the same link as "forgot password", naming the
 * administrator). The administrator never sees the link nor sets a password: only the user's mailbox gets
 * it. Needs `security:manage`, on a user whose role ranks no higher than the actor's (`authorizeOnUser`),
 * checked before anything about the user is revealed. Only an active account: an invited person needs
 * their invitation, and a suspended or deactivated one must not regain access this way.
 */
export async function sendPasswordReset(
  ctx: CommandContext,
  raw: z.input<typeof sendPasswordResetInput>,
): Promise<{ user: UserRow; expiresAt: Date }> {
  await authorizeAnywhere(ctx, 'security:manage');
  const input = parseInput(sendPasswordResetInput, raw);
  return withTransaction(ctx.db, async (scope) => {
    const now = ctx.clock.now();
    const user = await lockUser(scope.trx, ctx.actor.orgId, input.userId);
    await authorizeOnUser(ctx, scope.trx, 'security:manage', user, 'write');
    if (user.status !== 'active') {
      throw new DomainError(
        'VALIDATION_FAILED',
        'Only an active account can be sent a password reset link: an invited person uses their invitation.',
        { field: 'userId' },
      );
    }
    const reset = await issueAndSendPasswordReset(scope, ctx, {
      user,
      now,
      requestedBy: 'administrator',
    });
    return { user, expiresAt: reset.expiresAt };
  });
}
