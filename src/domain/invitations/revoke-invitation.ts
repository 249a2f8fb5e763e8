import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { invitationViews, type InvitationView } from './list-invitations.js';

export const revokeInvitationInput = z.object({ userId: z.string().max(64) }).strict();

/**
 * Kills a user's pending invitation link. The user stays 'invited': the record (and its audit history) is
 * kept and the invitee can be invited again with resendInvitation; to remove the person for good,
 * deactivate them. Taking access away needs no right to grant the role, unlike resending.
 */
export async function revokeInvitation(
  ctx: CommandContext,
  raw: z.input<typeof revokeInvitationInput>,
): Promise<{ user: UserRow; invitation: InvitationView }> {
  await authorizeAnywhere(ctx, 'invitations:revoke');
  const input = parseInput(revokeInvitationInput, raw);
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    const now = ctx.clock.now();
    const user = await lockUser(scope.trx, orgId, input.userId);
    await authorizeOnUser(ctx, scope.trx, 'invitations:revoke', user, 'write');
    const pending = await scope.trx
      .selectFrom('invitations')
      .select('id')
      .where('org_id', '=', orgId)
      .where('user_id', '=', user.id)
      .where('status', '=', 'pending')
      .forUpdate()
      .executeTakeFirst();
    if (!pending) throw new DomainError('INVITATION_NOT_PENDING');
    const row = await scope.trx
      .updateTable('invitations')
      .set({ status: 'revoked', ended_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', pending.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      scope.trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'invitation.revoked',
        targetType: 'user',
        targetId: user.id,
        changes: { invitationId: row.id, status: { from: 'pending', to: 'revoked' } },
      },
    );
    const [invitation] = await invitationViews(scope.trx, orgId, [row], now, [user]);
    return { user, invitation: invitation! };
  });
}
