import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import { withTransaction } from '../../db/transaction.js';
import { diffFields, recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { actorUserId } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { assertCanGrant, grantableRole } from '../users/change-user-role.js';
import type { IssuedInvitation } from '../users/invite-users.js';
import { bumpVersion, lockUser, roleOf } from '../users/user-record.js';
import { invitationLink, issueInvitation, maxInvitationTtlDays } from './invitation-link.js';
import { invitationExpiry, loadInvitationTtlDays } from './invitation-rules.js';
import { invitationViews } from './list-invitations.js';
import { notify } from '../notifications/notify.js';

export const resendInvitationInput = z
  .object({
    userId: z.string().max(64),
    /** A different role for the invitee; kept when absent. */
    role: z.string().max(64).optional(),
    /** Kept from the previous invitation when absent; null or blank removes it. */
    message: z.string().trim().max(2000).nullish(),
    expiresInDays: z.number().int().min(1).max(maxInvitationTtlDays).nullish(),
  })
  .strict();

/**
 * Issues a new link for a user who has not accepted yet. The previous link stops working in the same
 * transaction. The new link grants the user's role, so the actor must be able to grant that role (and,
 * when changing it, the new one too): otherwise resending would hand out a role the actor cannot give.
 */
export async function resendInvitation(
  ctx: CommandContext,
  raw: z.input<typeof resendInvitationInput>,
): Promise<IssuedInvitation> {
  await authorizeAnywhere(ctx, 'invitations:resend');
  const input = parseInput(resendInvitationInput, raw);
  const newRole = input.role === undefined ? undefined : grantableRole(ctx.actor, input.role, 'role');
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const now = ctx.clock.now();
    let user = await lockUser(trx, orgId, input.userId);
    await authorizeOnUser(ctx, trx, 'invitations:resend', user, 'write');
    if (user.status !== 'invited') throw new DomainError('INVITATION_NOT_PENDING');
    const currentRole = roleOf(user);
    assertCanGrant(ctx.actor, currentRole, 'role');
    const role = newRole ?? currentRole;
    const previous = await trx
      .selectFrom('invitations')
      .select(['message', 'expires_at'])
      .where('org_id', '=', orgId)
      .where('user_id', '=', user.id)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const days = input.expiresInDays ?? (await loadInvitationTtlDays(trx, orgId));
    const expiresAt = invitationExpiry(now, days);
    const message = input.message === undefined ? (previous?.message ?? null) : input.message || null;

    if (role !== user.role) {
      user = await trx
        .updateTable('users')
        .set({ role, updated_at: now, version: bumpVersion })
        .where('org_id', '=', orgId)
        .where('id', '=', user.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const issued = await issueInvitation(trx, {
      orgId,
      userId: user.id,
      role,
      message,
      invitedBy: actorUserId(ctx.actor),
      expiresAt,
      now,
    });
    const row = await trx
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', issued.id)
      .executeTakeFirstOrThrow();
    const [invitation] = await invitationViews(trx, orgId, [row], now, [user]);
    await recordAuditEvent(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'invitation.resent',
        targetType: 'user',
        targetId: user.id,
        changes: {
          invitationId: issued.id,
          ...diffFields({ role: currentRole, expiresAt: previous?.expires_at ?? null }, { role, expiresAt }),
        },
      },
    );
    await notify(scope, ctx, { kind: 'invitation', invitationId: issued.id, token: issued.token });
    return { user, invitation: invitation!, link: invitationLink(ctx.config.publicUrl, issued.token) };
  });
}
