import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Fixed-window request counters for anonymous endpoints that cost something whatever the answer (an email
 * sent, a row written): one row per key in `password_reset_throttle` (the table was made for the reset
 * requests; its keys are namespaced by purpose: `email:…`/`ip:…` for resets, `passkey_sign_in:ip:…` for
 * passwordless ceremonies). One statement counts every key given, each window starting again once it has
 * passed, and returns the counts including this request. Counting continues past a limit, so a flood keeps
 * its key blocked until the flood stops for a window.
 */
export async function countRequestsInWindow(
  db: Kysely<DB>,
  keys: readonly string[],
  windowMs: number,
  now: Date,
): Promise<Map<string, number>> {
  const windowStart = new Date(now.getTime() - windowMs);
  const rows = await db
    .insertInto('password_reset_throttle')
    .values(keys.map((key) => ({ key, window_start: now, requests: 1 })))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        requests: sql`case when password_reset_throttle.window_start <= ${windowStart}
          then 1 else password_reset_throttle.requests + 1 end`,
        window_start: sql`case when password_reset_throttle.window_start <= ${windowStart}
          then ${now}::timestamptz else password_reset_throttle.window_start end`,
      }),
    )
    .returning(['key', 'requests'])
    .execute();
  return new Map(rows.map((r) => [r.key, r.requests]));
}
