import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { writeSeatCheckpoint } from './cost-seats.js';

/**
 * When the seat ledger gets a new checkpoint (scheduled task `checkpoint-seat-ledgers`). The cost report
 * reads the nearest checkpoint and the events between it and the instant asked for, so a checkpoint is
 * worth writing once enough events have piled up since the last one, or once a day when anything changed
 * (past dates then stay one day's events away from a checkpoint).
 */
export const seatCheckpointPolicy = {
  /** Events since the last checkpoint that call for a new one. */
  events: 5_000,
  /** Age of the last checkpoint after which any event calls for a new one. */
  maxAgeMs: 24 * 3_600_000,
  /**
   * How far behind the present a checkpoint is taken: an event is stamped with its command's time and
   * becomes visible at commit, so a checkpoint at `now - settle` misses only a transaction that ran longer.
   */
  settleMs: 10 * 60_000,
  /** Checkpoints younger than this are all kept; older ones are thinned to the first of each month. */
  keepAllMs: 35 * 24 * 3_600_000,
} as const;

/** Whether an organisation's ledger needs a checkpoint now. Pure. */
export function checkpointDue(
  state: { lastCheckpointAt: Date | null; eventsSinceCapped: number },
  now: Date,
  policy = seatCheckpointPolicy,
): boolean {
  if (state.eventsSinceCapped === 0) return false;
  if (state.eventsSinceCapped >= policy.events || state.lastCheckpointAt === null) return true;
  return now.getTime() - state.lastCheckpointAt.getTime() >= policy.maxAgeMs;
}

/** Checkpoints every organisation whose ledger needs it; returns how many were checkpointed. */
export async function checkpointSeatLedgers(
  db: Kysely<DB>,
  now: Date,
  policy = seatCheckpointPolicy,
): Promise<{ checkpointed: number; organizations: number }> {
  const at = new Date(now.getTime() - policy.settleMs);
  const orgs = await db.selectFrom('organizations').select('id').execute();
  let checkpointed = 0;
  for (const { id } of orgs) {
    const last = await db
      .selectFrom('seat_checkpoints')
      .select(sql<Date | null>`max(at)`.as('at'))
      .where('org_id', '=', id)
      .executeTakeFirst();
    const lastCheckpointAt = last?.at ? new Date(last.at) : null;
    if (lastCheckpointAt && lastCheckpointAt >= at) continue;
    // Counted up to the threshold only: the answer is "enough" or the exact small number.
    const since = await db
      .selectFrom((qb) =>
        qb
          .selectFrom('seat_ledger')
          .select('at')
          .where('org_id', '=', id)
          .$if(lastCheckpointAt !== null, (q) => q.where('at', '>', lastCheckpointAt!))
          .where('at', '<=', at)
          .limit(policy.events)
          .as('e'),
      )
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow();
    if (!checkpointDue({ lastCheckpointAt, eventsSinceCapped: Number(since.n) }, now, policy)) continue;
    await writeSeatCheckpoint(db, id, at);
    await thinSeatCheckpoints(db, id, new Date(now.getTime() - policy.keepAllMs));
    checkpointed += 1;
  }
  return { checkpointed, organizations: orgs.length };
}

/**
 * Deletes the checkpoints older than `before` except the first of each calendar month (UTC): the table
 * grows by at most departments x 3 rows a month past the recent window, and a date in the far past is read
 * from a checkpoint at most half a month of events away.
 */
export async function thinSeatCheckpoints(db: Kysely<DB>, orgId: string, before: Date): Promise<void> {
  await db
    .deleteFrom('seat_checkpoints')
    .where('org_id', '=', orgId)
    .where('at', '<', before)
    .where('at', 'not in', (eb) =>
      eb
        .selectFrom('seat_checkpoints')
        .select(sql<Date>`min(at)`.as('at'))
        .where('org_id', '=', orgId)
        .groupBy(sql`date_trunc('month', at at time zone 'UTC')`),
    )
    .execute();
}
