import type { Tx } from '../../db/transaction.js';
import { hashSecretToken, newSecretToken } from '../shared/secret-token.js';

/** A reset link lives this long (OWASP: short; the email arrives within seconds). */
export const passwordResetTtlMs = 30 * 60_000;

/**
 * Reset links are built from the configured public URL, never from a request's Host header. The token is
 * in the fragment: browsers do not send it to the server with the page request, nor in a Referer.
 */
export function passwordResetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/reset-password#token=${encodeURIComponent(token)}`;
}

export function hashResetToken(token: string): string {
  return hashSecretToken('password_reset', token);
}

/**
 * Ends every live reset link of the user (a newer link was issued, or the password changed): only the
 * newest link ever works. In the caller's transaction, which holds the user's row.
 */
export async function endPasswordResets(
  trx: Tx,
  target: { orgId: string; userId: string; now: Date },
): Promise<void> {
  await trx
    .updateTable('password_resets')
    .set({ ended_at: target.now })
    .where('org_id', '=', target.orgId)
    .where('user_id', '=', target.userId)
    .where('used_at', 'is', null)
    .where('ended_at', 'is', null)
    .execute();
}

/**
 * Issues a reset link for a user, ending the older ones. Returns the token, which goes into the email
 * and is never stored. In the caller's transaction, which holds the user's row.
 */
export async function issuePasswordReset(
  trx: Tx,
  r: { orgId: string; userId: string; requestedBy: string | null; now: Date; token?: string },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  await endPasswordResets(trx, r);
  const token = r.token ?? newSecretToken();
  const expiresAt = new Date(r.now.getTime() + passwordResetTtlMs);
  const row = await trx
    .insertInto('password_resets')
    .values({
      org_id: r.orgId,
      user_id: r.userId,
      token_hash: hashResetToken(token),
      requested_by: r.requestedBy,
      created_at: r.now,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token, expiresAt };
}
