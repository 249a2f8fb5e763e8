import type { TransactionScope } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { Actor, RequestMeta } from '../shared/context.js';
import type { RevocationRegistry } from './revocation-registry.js';
import { revokeSessions } from './revoke-sessions.js';

/**
 * The session limit (`maxSessionsPerUser`): in the transaction that has just opened a session, under the
 * user's row lock, the person's live sessions beyond the newest `max` end — revoked through
 * `revokeSessions` (locks in id order, NOTIFY, the registry after commit), so their tokens fail at once —
 * and `session.ended_by_limit` is audited. Returns the ids ended.
 */
export async function endSessionsBeyondLimit(
  scope: TransactionScope,
  registry: RevocationRegistry,
  s: { orgId: string; userId: string; max: number; actor: Actor; meta: RequestMeta; now: Date },
): Promise<string[]> {
  const { trx } = scope;
  const beyond = await trx
    .selectFrom('sessions')
    .select('id')
    .where('org_id', '=', s.orgId)
    .where('user_id', '=', s.userId)
    .where('revoked_at', 'is', null)
    .where('idle_expires_at', '>', s.now)
    .where('absolute_expires_at', '>', s.now)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    // One person's live sessions: at most the limit plus the one just opened, in practice.
    .offset(s.max)
    .execute();
  if (beyond.length === 0) return [];
  const ended = await revokeSessions(
    scope,
    registry,
    { orgId: s.orgId, userId: s.userId, sessionIds: beyond.map((r) => r.id) },
    'session.limit',
    s.now,
  );
  if (ended.length > 0) {
    await recordAuditEvent(
      trx,
      s.orgId,
      { actor: s.actor, meta: s.meta, now: s.now },
      {
        action: 'session.ended_by_limit',
        targetType: 'user',
        targetId: s.userId,
        changes: { sessionIds: ended, maxSessionsPerUser: s.max },
      },
    );
  }
  return ended;
}
