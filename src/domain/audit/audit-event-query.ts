import type { Kysely, SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { AuditEventRow, DB } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import { isUuid } from '../shared/ids.js';

/**
 * Shared by the audit trail's readers (list, export, verify): the filter, the cursor, and keyset batches.
 * Every read is by the organisation's own sequence (`seq`), which the primary key (org_id, seq) indexes;
 * nothing uses OFFSET.
 */

const uuid = z.string().max(64).refine(isUuid, 'must be a UUID');

/** `user.suspended` is one action; `user.` (ending in a dot) is every action under `user`. */
const actionPattern = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?$/;

export const auditEventFilter = z
  .object({
    actorId: uuid.nullish(),
    targetId: uuid.nullish(),
    action: z
      .string()
      .max(100)
      .regex(actionPattern, 'an action such as user.suspended, or a prefix such as user.')
      .nullish(),
    /** Inclusive. */
    occurredAfter: z.coerce.date().nullish(),
    /** Exclusive, so consecutive ranges neither overlap nor leave a gap. */
    occurredBefore: z.coerce.date().nullish(),
  })
  .strict();

export type AuditEventFilter = z.output<typeof auditEventFilter>;

/** Whether an action filter names a family of actions (`user.`) rather than one action. */
export function isActionPrefix(action: string): boolean {
  return action.endsWith('.');
}

/** LIKE treats `_`, `%` and the escape character as patterns; actions may contain `_`. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function applyAuditFilter<O>(
  query: SelectQueryBuilder<DB, 'audit_events', O>,
  filter: AuditEventFilter | null | undefined,
): SelectQueryBuilder<DB, 'audit_events', O> {
  let q = query;
  if (!filter) return q;
  if (filter.actorId) q = q.where('actor_id', '=', filter.actorId);
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  if (filter.action) {
    q = isActionPrefix(filter.action)
      ? q.where('action', 'like', `${escapeLike(filter.action)}%`)
      : q.where('action', '=', filter.action);
  }
  if (filter.occurredAfter) q = q.where('occurred_at', '>=', filter.occurredAfter);
  if (filter.occurredBefore) q = q.where('occurred_at', '<', filter.occurredBefore);
  return q;
}

const cursorPrefix = 'audit:';

/** Cursors are opaque to clients; inside they carry the event's sequence number. Pure. */
export function encodeAuditCursor(seq: number): string {
  return Buffer.from(`${cursorPrefix}${seq}`, 'utf8').toString('base64url');
}

/** The sequence number in a cursor; VALIDATION_FAILED for anything this server did not make. Pure. */
export function decodeAuditCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^audit:([1-9][0-9]{0,14})$/.exec(text);
  if (!m?.[1])
    throw new DomainError('VALIDATION_FAILED', 'after: not a cursor of this list.', { field: 'after' });
  return Number(m[1]);
}

export interface AuditBatchOptions {
  filter?: AuditEventFilter | null | undefined;
  /** Start after this sequence number (0: from the first event). */
  afterSeq?: number;
  /** Stop at this sequence number (inclusive), so a long read does not chase events appended meanwhile. */
  throughSeq?: number;
  batchSize: number;
}

/**
 * The organisation's events in sequence order, one keyset batch at a time, so even millions of events
 * never sit in memory at once and no single query holds the (embedded) database for long.
 */
export async function* auditEventBatches(
  db: Kysely<DB>,
  orgId: string,
  options: AuditBatchOptions,
): AsyncGenerator<AuditEventRow[]> {
  let last = options.afterSeq ?? 0;
  for (;;) {
    let q = db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).where('seq', '>', last);
    if (options.throughSeq !== undefined) q = q.where('seq', '<=', options.throughSeq);
    const rows = await applyAuditFilter(q, options.filter)
      .orderBy('seq', 'asc')
      .limit(options.batchSize)
      .execute();
    const tail = rows[rows.length - 1];
    if (!tail) return;
    yield rows;
    if (rows.length < options.batchSize) return;
    last = tail.seq;
  }
}
