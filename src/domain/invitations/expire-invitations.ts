import { sql } from 'kysely';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvents, type AuditEventInput } from '../audit/record-audit-event.js';
import type { RequestMeta, Services } from '../shared/context.js';

export const invitationExpiryBatchSize = 500;

export interface ExpireInvitationsResult {
  expired: number;
}

/**
 * Scheduled work: marks every pending invitation whose link expired at or before `now` as 'expired', in
 * every organisation, with one 'invitation.expired' audit event each (system actor "scheduler" of the
 * invitation's organisation). The invited user stays 'invited': an administrator may send a new link.
 *
 * One transaction per batch. Rows are taken with FOR UPDATE SKIP LOCKED, so two runs at the same time
 * split the work instead of doing it twice, and an invitation being accepted or revoked right now (its
 * row locked) is left to that command. Only the invitation rows are locked, never the users, so there is
 * no lock-order cycle with accept/resend/revoke (user, then invitation, then audit head).
 */
export async function expireInvitations(
  services: Services,
  now: Date,
  meta: RequestMeta = {},
  batchSize = invitationExpiryBatchSize,
): Promise<ExpireInvitationsResult> {
  let expired = 0;
  for (;;) {
    const batch = await withTransaction(services.db, async ({ trx }) => {
      const due = await trx
        .selectFrom('invitations')
        .select('id')
        // A literal, not a parameter, so the planner matches the partial index invitations_pending_expiry.
        .where('status', '=', sql.lit('pending'))
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return { taken: 0, ended: 0 };
      const ended = await trx
        .updateTable('invitations')
        .set({ status: 'expired', ended_at: now })
        .where(
          'id',
          'in',
          due.map((d) => d.id),
        )
        .where('status', '=', 'pending')
        .returning(['id', 'org_id', 'user_id'])
        .execute();

      const byOrg = new Map<string, AuditEventInput[]>();
      for (const inv of ended) {
        const events = byOrg.get(inv.org_id) ?? [];
        events.push({
          action: 'invitation.expired',
          targetType: 'invitation',
          targetId: inv.id,
          changes: { status: { from: 'pending', to: 'expired' }, userId: inv.user_id },
        });
        byOrg.set(inv.org_id, events);
      }
      // Chain heads are locked in a fixed order so two batches touching the same organisations never
      // wait on each other in a cycle.
      for (const orgId of [...byOrg.keys()].sort()) {
        await recordAuditEvents(
          trx,
          orgId,
          { actor: { type: 'system', orgId, name: 'scheduler' }, meta, now },
          byOrg.get(orgId)!,
        );
      }
      return { taken: due.length, ended: ended.length };
    });
    expired += batch.ended;
    if (batch.taken < batchSize) break;
  }
  return { expired };
}
