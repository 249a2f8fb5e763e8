import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { liveLeaseCount, throttleRules } from './sign-in-throttle.js';

/**
 * Forgets sources whose counting window has passed and that are not locked: their count would start again
 * at the next attempt anyway, so the row only costs space. Keeps the table at the size of recent activity.
 * A row with a live lease (an attempt in flight) stays: deleting it would let that attempt's failure start
 * a fresh count.
 */
export async function pruneSignInThrottle(db: Kysely<DB>, now: Date): Promise<number> {
  const windowStart = new Date(now.getTime() - throttleRules.sourceWindowMs);
  const r = await db
    .deleteFrom('sign_in_throttle')
    .where('window_start', '<', windowStart)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .where(sql<number>`${liveLeaseCount('leases', now.getTime())}`, '=', 0)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
