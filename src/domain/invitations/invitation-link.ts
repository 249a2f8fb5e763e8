import type { Tx } from '../../db/transaction.js';
import { hashSecretToken, newSecretToken } from '../shared/secret-token.js';

/** Acceptance links are built from the configured public URL, never from a request's Host header. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/accept-invitation#token=${encodeURIComponent(token)}`;
}

export const defaultInvitationTtlDays = 7;
export const maxInvitationTtlDays = 90;

export interface NewInvitation {
  orgId: string;
  userId: string;
  role: string;
  message: string | null;
  invitedBy: string | null;
  expiresAt: Date;
  now: Date;
}

/**
 * Issues a fresh pending invitation for a user. Any pending invitation of the user is superseded in the
 * same statement, so only the newest link works. Returns the token, which is shown once and never stored.
 */
export async function issueInvitation(trx: Tx, inv: NewInvitation): Promise<{ id: string; token: string }> {
  await trx
    .updateTable('invitations')
    .set({ status: 'superseded', ended_at: inv.now })
    .where('org_id', '=', inv.orgId)
    .where('user_id', '=', inv.userId)
    .where('status', '=', 'pending')
    .execute();
  const token = newSecretToken();
  const row = await trx
    .insertInto('invitations')
    .values({
      org_id: inv.orgId,
      user_id: inv.userId,
      token_hash: hashSecretToken('invitation', token),
      role: inv.role,
      message: inv.message,
      invited_by: inv.invitedBy,
      status: 'pending',
      created_at: inv.now,
      expires_at: inv.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}
