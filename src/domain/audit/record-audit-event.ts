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

type AuditRow = ReturnType<typeof chainRows>['rows'][number];

/**
 * The newest head this process has appended per organisation (committed or not yet): a hint, never
 * trusted. An append that starts from it updates the head only where it still is exactly that (seq and
 * hash), so a hint that is stale (another instance appended, or the transaction that set it rolled back)
 * costs one statement that changes nothing, and then the locking path below.
 */
const headHints = new Map<string, { seq: number; hash: string }>();
const maxHints = 10_000;
function hint(orgId: string, seq: number, hash: string) {
  headHints.delete(orgId);
  headHints.set(orgId, { seq, hash });
  if (headHints.size > maxHints) headHints.delete(headHints.keys().next().value as string);
}

/** The columns an append writes (no defaults are relied on). */
const auditColumns = [
  'org_id',
  'seq',
  'id',
  'occurred_at',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'changes',
  'reason',
  'request_id',
  'ip',
  'user_agent',
  'prev_hash',
  'hash',
] as const;

/** Rows insertable into audit_events to append at most this many events in one statement. */
const chunk = 1000;

/**
 * The chain head row is locked, so concurrent writers of one organisation queue up: no gaps or forks.
 * Usually one statement while it is held (from this process's hint: events and head together, where the
 * head is still what the hint says — waiting, if another transaction holds it, and re-checked on the row
 * it committed), then the commit; otherwise two (lock-and-read, then events and head). Every round trip
 * under this lock is one that every other writer of the organisation waits for.
 */
async function appendToChain(trx: Tx, orgId: string, items: readonly PendingAuditEvent[]): Promise<void> {
  const known = headHints.get(orgId);
  if (known && items.length <= chunk) {
    const { rows, seq, hash } = chainRows(orgId, known.seq, known.hash, items);
    const result = await sql<{ appended: boolean }>`
      with head as (
        update audit_chain_heads set last_seq = ${seq}, last_hash = ${hash}
         where org_id = ${orgId} and last_seq = ${known.seq} and last_hash = ${known.hash}
        returning org_id
      ), appended as (
        insert into audit_events (${sql.join(auditColumns.map((c) => sql.ref(c)))})
        select ${sql.join(auditColumns.map((c) => sql.ref(`r.${c}`)))}
          from json_populate_recordset(null::audit_events, ${JSON.stringify(rows.map(asJsonRow))}::json) r
         where exists (select 1 from head)
      )
      select exists (select 1 from head) as appended`.execute(trx);
    if (result.rows[0]?.appended === true) {
      hint(orgId, seq, hash);
      return;
    }
  }

  // Creates the head on first use, or locks it (a no-op update) and returns its newest committed state.
  const head = await trx
    .insertInto('audit_chain_heads')
    .values({ org_id: orgId, last_seq: 0, last_hash: genesisHash })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ last_seq: sql`audit_chain_heads.last_seq` }))
    .returning(['last_seq', 'last_hash'])
    .executeTakeFirstOrThrow();
  const { rows, seq, hash } = chainRows(orgId, head.last_seq, head.last_hash, items);
  // Multi-row inserts, bounded so a bulk job stays under the parameter limit; the last chunk goes with
  // the head's update in one statement.
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
    .set({ last_seq: seq, last_hash: hash })
    .where('org_id', '=', orgId)
    .execute();
  hint(orgId, seq, hash);
}

/** A row as json_populate_recordset reads it: `changes` as a JSON value, not the text of one. */
function asJsonRow(r: AuditRow) {
  return { ...r, changes: r.changes === null ? null : (JSON.parse(r.changes) as unknown) };
}

/** Pure: the events as rows chained after (seq, hash), and the head they leave. */
function chainRows(orgId: string, lastSeq: number, lastHash: string, items: readonly PendingAuditEvent[]) {
  let seq = lastSeq;
  let prev = lastHash;
  const rows = items.map(({ ctx, event: e }) => {
    seq += 1;
    const { actorType, actorId } = auditActorOf(ctx.actor);
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
  return { rows, seq, hash: prev };
}

/**
 * How an actor is recorded: a user by id; a SCIM token as itself (its id, `api_credential`); a personal
 * token as its owner, marked `personal_token` so a token's work is told apart from a session's.
 */
function auditActorOf(actor: Actor): { actorType: string; actorId: string | null } {
  switch (actor.type) {
    case 'user':
      return { actorType: 'user', actorId: actor.userId };
    case 'personal_token':
      return { actorType: 'personal_token', actorId: actor.userId };
    case 'api_credential':
      return { actorType: 'api_credential', actorId: actor.credentialId };
    case 'system':
      return {
        actorType: actor.name === 'cli' ? 'cli' : actor.name === 'scim' ? 'scim' : 'system',
        actorId: null,
      };
  }
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
