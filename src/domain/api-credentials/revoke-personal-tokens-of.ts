import type { Tx } from '../../db/transaction.js';

/**
 * Ends every live personal token of a user, in the caller's transaction: a suspension or deactivation
 * ends the person's tokens with their sessions, for good (a later reactivation does not bring them
 * back). Bounded: at most 20 live tokens per person. Authentication refuses a token of a person who is
 * not active anyway, so this is what makes the end permanent, not what makes it immediate.
 */
export async function revokePersonalTokensOf(
  trx: Tx,
  orgId: string,
  userId: string,
  now: Date,
): Promise<number> {
  const rows = await trx
    .updateTable('personal_api_tokens')
    .set({ revoked_at: now })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('id')
    .execute();
  return rows.length;
}
