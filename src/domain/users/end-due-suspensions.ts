import { sql } from 'kysely';
import { isDomainError } from '../errors.js';
import type { CommandContext, RequestMeta, Services } from '../shared/context.js';
import { applyLifecycleEvent } from './apply-lifecycle-event.js';

export const suspensionBatchSize = 500;

export interface EndDueSuspensionsResult {
  /** Users reinstated by this run. */
  reinstated: number;
  /** Users already reinstated (or changed) by someone else between our read and our lock. */
  skipped: number;
  /** Users that failed with an unexpected error; the others were still processed. */
  failed: number;
}

/**
 * Scheduled work: reinstates every user, in every organisation, whose suspension ended at or before `now`.
 * Each user gets its own transaction through the one lifecycle path (lock, pure transition, audit), with
 * the system actor "scheduler" of the user's organisation.
 *
 * Safe to run twice at the same time: the lifecycle path locks the user row, so the second run waits and
 * then finds the user active — INVALID_TRANSITION — and skips it. Each user is audited exactly once.
 *
 * `now` is the cut-off for what is due; the change itself is stamped with `services.clock`, like any
 * other command.
 */
export async function endDueSuspensions(
  services: Services,
  now: Date,
  meta: RequestMeta = {},
  batchSize = suspensionBatchSize,
): Promise<EndDueSuspensionsResult> {
  const result: EndDueSuspensionsResult = { reinstated: 0, skipped: 0, failed: 0 };
  // Keyset over (suspended_until, id): a user that keeps failing is passed over, not re-read forever.
  let after: DueCursor | null = null;
  for (;;) {
    const due = await loadDue(services, now, after, batchSize);
    for (const user of due) {
      const ctx: CommandContext = {
        ...services,
        actor: { type: 'system', orgId: user.org_id, name: 'scheduler' },
        meta,
      };
      try {
        await applyLifecycleEvent(ctx, user.id, { type: 'suspension_ended' });
        result.reinstated += 1;
      } catch (err) {
        if (isDomainError(err) && (err.code === 'INVALID_TRANSITION' || err.code === 'NOT_FOUND')) {
          result.skipped += 1;
        } else {
          result.failed += 1;
          services.logger.error({ err, userId: user.id, orgId: user.org_id }, 'ending a suspension failed');
        }
      }
    }

    const last = due[due.length - 1];
    if (due.length < batchSize || !last?.suspended_until) break;
    after = { until: last.suspended_until, id: last.id };
  }
  return result;
}

interface DueCursor {
  until: Date;
  id: string;
}

function loadDue(services: Services, now: Date, after: DueCursor | null, limit: number) {
  return (
    services.db
      .selectFrom('users')
      .select(['id', 'org_id', 'suspended_until'])
      // A literal, not a parameter, so the planner matches the partial index users_suspension_due.
      .where('status', '=', sql.lit('suspended'))
      .where('suspended_until', '<=', now)
      .$if(after !== null, (q) =>
        q.where((eb) => eb(eb.refTuple('suspended_until', 'id'), '>', eb.tuple(after!.until, after!.id))),
      )
      .orderBy('suspended_until')
      .orderBy('id')
      .limit(limit)
      .execute()
  );
}
