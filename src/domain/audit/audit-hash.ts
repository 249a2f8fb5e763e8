import { createHash } from 'node:crypto';
import type { AuditEventRow } from '../../db/schema.js';

/** The hash of the organisation's first event links to this. */
export const genesisHash = '0'.repeat(64);

/** The fields of an event that the chain protects. */
export interface HashedAuditFields {
  orgId: string;
  seq: number;
  id: string;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  changes: unknown;
  reason: string | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** JSON with object keys sorted at every level, so the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256(previous hash || canonical event). Pure. */
export function auditEventHash(prevHash: string, e: HashedAuditFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(
      canonicalJson({
        orgId: e.orgId,
        seq: e.seq,
        id: e.id,
        occurredAt: e.occurredAt,
        actorType: e.actorType,
        actorId: e.actorId,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        changes: e.changes ?? null,
        reason: e.reason,
        requestId: e.requestId,
        ip: e.ip,
        userAgent: e.userAgent,
      }),
    )
    .digest('hex');
}

/** The fields of a stored event that its hash covers, exactly as record-audit-event.ts hashed them. Pure. */
export function hashedFieldsOf(row: AuditEventRow): HashedAuditFields {
  return {
    orgId: row.org_id,
    seq: row.seq,
    id: row.id,
    occurredAt: row.occurred_at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    changes: row.changes,
    reason: row.reason,
    requestId: row.request_id,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}
