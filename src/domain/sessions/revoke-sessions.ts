import { sql } from 'kysely';
import type { TransactionScope } from '../../db/transaction.js';
import type { RevocationRegistry } from './revocation-registry.js';
import { revocationChannel } from './revocation-registry.js';

export interface RevokeTarget {
  orgId: string;
  userId: string;
  /** Only this session; all of the user's sessions when absent. */
  sessionId?: string;
  /** Keep this one alive ("sign out my other sessions"). */
  exceptSessionId?: string;
  /** Only these sessions (the session limit's oldest); must not be empty. */
  sessionIds?: readonly string[];
}

/**
 * Ends sessions in the caller's transaction. Other instances learn of it through NOTIFY, which PostgreSQL
 * delivers only on commit; this process learns of it in the after-commit hook, before the response leaves.
 */
export async function revokeSessions(
  scope: TransactionScope,
  registry: RevocationRegistry,
  target: RevokeTarget,
  reason: string,
  now: Date,
): Promise<string[]> {
  // The rows are locked in id order (the lock order of docs/ARCHITECTURE.md), in the same statement: an
  // UPDATE of many rows takes them in whatever order its plan reads them, so two revocations of one
  // user's sessions (an admin's "revoke all" beside a suspension, a refresh-token reuse) could otherwise
  // wait on each other in a cycle. A subquery, not a list of ids: no parameter limit, however many.
  const rows = await scope.trx
    .updateTable('sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('org_id', '=', target.orgId)
    .where('id', 'in', (eb) => {
      let q = eb
        .selectFrom('sessions')
        .select('id')
        .where('org_id', '=', target.orgId)
        .where('user_id', '=', target.userId)
        .where('revoked_at', 'is', null);
      if (target.sessionId) q = q.where('id', '=', target.sessionId);
      if (target.exceptSessionId) q = q.where('id', '!=', target.exceptSessionId);
      if (target.sessionIds) q = q.where('id', 'in', [...target.sessionIds]);
      return q.orderBy('id').forNoKeyUpdate();
    })
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  const ids = rows.map((r) => r.id);
  // NOTIFY payloads are limited to 8000 bytes: about 200 ids a message.
  for (let i = 0; i < ids.length; i += 200) {
    const payload = ids.slice(i, i + 200).join(',');
    await sql`select pg_notify(${revocationChannel}, ${payload})`.execute(scope.trx);
  }
  scope.onCommit(() => registry.add(ids));
  return ids;
}
