import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Finished notices are kept this long, then forgotten: every message they produced lives on in the
 * outbox and the in-app notifications, and a command retried later names a newer version of its user, so
 * the row's dedupe role is over long before.
 */
export const noticeRetentionMs = 30 * 24 * 3_600_000;
const batchSize = 5_000;

/**
 * Deletes notices whose fan-out finished more than the retention ago, in batches of their own statements,
 * so a backlog of millions never becomes one long transaction. Pending notices are never touched.
 */
export async function pruneNotices(db: Kysely<DB>, now: Date): Promise<number> {
  const before = new Date(now.getTime() - noticeRetentionMs);
  let total = 0;
  for (;;) {
    const r = await db
      .deleteFrom('notices')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('notices')
          .select('id')
          .where('status', '=', 'done')
          .where('completed_at', '<', before)
          .limit(batchSize),
      )
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < batchSize) return total;
  }
}
