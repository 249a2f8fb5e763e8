import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { scopeOf, type Tx } from '../../db/transaction.js';
import type { Actor, RequestMeta } from '../shared/context.js';
import type { AuditAction } from './audit-actions.js';
import { auditEventHash, genesisHash } from './audit-hash.js';

/** Before/after of the fields a change touched: `{ field: { from, to } }`. */
export type FieldChanges = Record<string, { from: unknown; to: unknown }>;

export interface AuditEventInput {
  action: AuditAction;
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

interface PendingAuditEvent {
  orgId: string;
  ctx: AuditWriteContext;
  event: AuditEventInput;
}

const bufferKey = Symbol('audit buffer');

/**
 * Records events in the organisation's audit chain, in the caller's transaction. Inside `withTransaction`
 * the events are buffered and appended by a before-commit hook, after everything else the transaction
 * does: the chain head is the last lock a transaction takes and is held only for the append and the
 * commit, so no writer of the organisation waits behind another's unrelated work, and a transaction that
 * rolls back appends nothing. A bare Kysely transaction (no scope) appends at once.
 */
export async function recordAuditEvents(
  trx: Tx,
  orgId: string,
  ctx: AuditWriteContext,
  events: readonly AuditEventInput[],
): Promise<void> {
  if (events.length === 0) return;
  const items = events.map((event) => ({ orgId, ctx, event }));
  const scope = scopeOf(trx);
  if (!scope) return appendAuditEvents(trx, items);
  let buffer = scope.locals.get(bufferKey) as PendingAuditEvent[] | undefined;
  if (!buffer) {
    buffer = [];
    scope.locals.set(bufferKey, buffer);
    scope.beforeCommit(() => flushAuditEvents(trx));
  }
  buffer.push(...items);
}

export function recordAuditEvent(trx: Tx, orgId: string, ctx: AuditWriteContext, event: AuditEventInput) {
  return recordAuditEvents(trx, orgId, ctx, [event]);
}

/**
 * Appends what this transaction has buffered so far, now. Only for code that must read its own audit
 * rows (or the chain head) before commit — the export, which ends at its own `audit.exported` event.
 */
export async function flushAuditEvents(trx: Tx): Promise<void> {
  const scope = scopeOf(trx);
  const buffer = scope?.locals.get(bufferKey) as PendingAuditEvent[] | undefined;
  if (!buffer || buffer.length === 0) return;
  const items = buffer.splice(0, buffer.length);
  await appendAuditEvents(trx, items);
}

/** Appends per organisation, heads locked in org id order (one lock order for multi-organisation work). */
async function appendAuditEvents(trx: Tx, items: readonly PendingAuditEvent[]): Promise<void> {
  const byOrg = new Map<string, PendingAuditEvent[]>();
  for (const it of items) {
    const list = byOrg.get(it.orgId);
    if (list) list.push(it);
    else byOrg.set(it.orgId, [it]);
  }
  for (const orgId of [...byOrg.keys()].sort()) await appendToChain(trx, orgId, byOrg.get(orgId)!);
}

/**
 * The chain head row is locked, so concurrent writers of one organisation queue up: no gaps or forks. Two
 * statements while it is held (lock-and-read, then events and head together), then the commit: every round
 * trip under this lock is one that every other writer of the organisation waits for.
 */
async function appendToChain(trx: Tx, orgId: string, items: readonly PendingAuditEvent[]): Promise<void> {
  // Creates the head on first use, or locks it (a no-op update) and returns its newest committed state.
  const head = await trx
    .insertInto('audit_chain_heads')
    .values({ org_id: orgId, last_seq: 0, last_hash: genesisHash })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ last_seq: sql`audit_chain_heads.last_seq` }))
    .returning(['last_seq', 'last_hash'])
    .executeTakeFirstOrThrow();

  let seq = head.last_seq;
  let prev = head.last_hash;
  const rows = items.map(({ ctx, event: e }) => {
    seq += 1;
    const actorId = ctx.actor.type === 'user' ? ctx.actor.userId : null;
    const actorType =
      ctx.actor.type === 'user'
        ? 'user'
        : ctx.actor.name === 'cli'
          ? 'cli'
          : ctx.actor.name === 'scim'
            ? 'scim'
            : 'system';
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
  // Multi-row inserts, bounded so a bulk job stays under the parameter limit; the last chunk goes with
  // the head's update in one statement.
  const chunk = 1000;
  let from = 0;
  for (; rows.length - from > chunk; from += chunk) {
    await trx
      .insertInto('audit_events')
      .values(rows.slice(from, from + chunk))
      .execute();
  }
  await trx
    .with('appended', (db) => db.insertInto('audit_events').values(rows.slice(from)))
    .updateTable('audit_chain_heads')
    .set({ last_seq: seq, last_hash: prev })
    .where('org_id', '=', orgId)
    .execute();
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
