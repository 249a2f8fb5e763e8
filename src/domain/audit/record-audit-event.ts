import { randomUUID } from 'node:crypto';
import type { Tx } from '../../db/transaction.js';
import type { Actor, RequestMeta } from '../shared/context.js';
import { auditEventHash, genesisHash } from './audit-hash.js';

/** Before/after of the fields a change touched: `{ field: { from, to } }`. */
export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

export interface AuditEventInput {
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  changes?: FieldChanges | Record<string, unknown> | null;
  reason?: string | null;
}

export interface AuditWriteContext {
  actor: Actor;
  meta: RequestMeta;
  now: Date;
}

/**
 * Appends events to the organisation's audit chain inside the caller's transaction. The chain head row is
 * locked, so concurrent writers of one organisation queue up and the sequence has no gaps or forks.
 */
export async function recordAuditEvents(
  trx: Tx,
  orgId: string,
  ctx: AuditWriteContext,
  events: readonly AuditEventInput[],
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('audit_chain_heads')
    .values({ org_id: orgId, last_seq: 0, last_hash: genesisHash })
    .onConflict((oc) => oc.column('org_id').doNothing())
    .execute();
  const head = await trx
    .selectFrom('audit_chain_heads')
    .select(['last_seq', 'last_hash'])
    .where('org_id', '=', orgId)
    .forUpdate()
    .executeTakeFirstOrThrow();

  let seq = head.last_seq;
  let prev = head.last_hash;
  const actorId = ctx.actor.type === 'user' ? ctx.actor.userId : null;
  const actorType =
    ctx.actor.type === 'user'
      ? 'user'
      : ctx.actor.name === 'cli'
        ? 'cli'
        : ctx.actor.name === 'scim'
          ? 'scim'
          : 'system';
  const rows = events.map((e) => {
    seq += 1;
    const fields = {
      orgId,
      seq,
      id: randomUUID(),
      occurredAt: ctx.now,
      actorType,
      actorId,
      action: e.action,
      targetType: e.targetType ?? null,
      targetId: e.targetId ?? null,
      changes: e.changes ?? null,
      reason: e.reason ?? null,
      requestId: ctx.meta.requestId ?? null,
      ip: ctx.meta.ip ?? null,
      userAgent: ctx.meta.userAgent?.slice(0, 512) ?? null,
    };
    const hash = auditEventHash(prev, fields);
    const row = {
      org_id: orgId,
      seq,
      id: fields.id,
      occurred_at: fields.occurredAt,
      actor_type: fields.actorType,
      actor_id: fields.actorId,
      action: fields.action,
      target_type: fields.targetType,
      target_id: fields.targetId,
      changes: fields.changes === null ? null : JSON.stringify(fields.changes),
      reason: fields.reason,
      request_id: fields.requestId,
      ip: fields.ip,
      user_agent: fields.userAgent,
      prev_hash: prev,
      hash,
    };
    prev = hash;
    return row;
  });
  // Multi-row inserts, bounded so a bulk job stays under the parameter limit.
  for (let i = 0; i < rows.length; i += 1000) {
    await trx
      .insertInto('audit_events')
      .values(rows.slice(i, i + 1000))
      .execute();
  }
  await trx
    .updateTable('audit_chain_heads')
    .set({ last_seq: seq, last_hash: prev })
    .where('org_id', '=', orgId)
    .execute();
}

export function recordAuditEvent(trx: Tx, orgId: string, ctx: AuditWriteContext, event: AuditEventInput) {
  return recordAuditEvents(trx, orgId, ctx, [event]);
}

/** The changed fields between two snapshots, for the `changes` of an event. Pure. */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>): FieldChanges {
  const out: FieldChanges = {};
  for (const key of Object.keys(after)) {
    const a = before[key];
    const b = after[key];
    const same =
      a instanceof Date && b instanceof Date
        ? a.getTime() === b.getTime()
        : JSON.stringify(a) === JSON.stringify(b);
    if (!same) out[key] = { from: a ?? null, to: b ?? null };
  }
  return out;
}
