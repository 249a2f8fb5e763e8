import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { bumpVersion, lockUser } from '../users/user-record.js';

export const unlockUserInput = z.object({ userId: z.string().max(64) }).strict();

/**
 * Lifts a sign-in lockout — the temporary one, or the hard lock after 100 consecutive failures that only
 * an administrator may lift — and resets the account's failure counter. Needs `security:manage`, on a
 * user whose role ranks no higher than the actor's (`authorizeOnUser`).
 */
export async function unlockUser(
  ctx: CommandContext,
  raw: z.input<typeof unlockUserInput>,
): Promise<UserRow> {
  // Loads the actor's access before the transaction: inside it only the transaction may use the database.
  await authorizeAnywhere(ctx, 'security:manage');
  const input = parseInput(unlockUserInput, raw);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async ({ trx }) => {
    const user = await lockUser(trx, ctx.actor.orgId, input.userId);
    // Lifting a lockout is acting on the user: not on one whose role ranks above the actor (an owner's
    // lockout is lifted by an owner), and refused before the lockout state is revealed.
    await authorizeOnUser(ctx, trx, 'security:manage', user, 'write');
    if (user.failed_login_count === 0 && user.locked_until === null) {
      throw new DomainError('VALIDATION_FAILED', 'This account is not locked and has no failed sign-ins.', {
        field: 'userId',
      });
    }
    const updated = await trx
      .updateTable('users')
      .set({ failed_login_count: 0, locked_until: null, updated_at: now, version: bumpVersion })
      .where('org_id', '=', user.org_id)
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      user.org_id,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'user.unlocked',
        targetType: 'user',
        targetId: user.id,
        changes: {
          failedLoginCount: { from: user.failed_login_count, to: 0 },
          lockedUntil: { from: user.locked_until, to: null },
        },
      },
    );
    return updated;
  });
}
