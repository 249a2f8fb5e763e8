import { z } from 'zod';
import { authorize, can } from '../../authz/authorize.js';
import type { AuditEventRow, UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { applyAuditFilter, auditEventFilter, decodeAuditCursor } from './audit-event-query.js';

export const auditEventOrders = ['NEWEST_FIRST', 'OLDEST_FIRST'] as const;
export type AuditEventOrder = (typeof auditEventOrders)[number];

export const listAuditEventsInput = z
  .object({
    filter: auditEventFilter.nullish(),
    first: z.number().int().min(1).max(200).nullish(),
    /** The cursor of the last event of the previous page. */
    after: z.string().max(100).nullish(),
    order: z.enum(auditEventOrders).nullish(),
  })
  .strict();

export interface AuditEventPage {
  events: AuditEventRow[];
  hasNextPage: boolean;
}

/**
 * One page of the organisation's audit trail, newest first by default. Keyset on the per-organisation
 * sequence: the cost of a page does not grow with how far into the trail it is.
 */
export async function listAuditEvents(
  ctx: CommandContext,
  raw: z.input<typeof listAuditEventsInput>,
): Promise<AuditEventPage> {
  authorize(ctx.actor, 'audit:read');
  const input = parseInput(listAuditEventsInput, raw);
  const first = input.first ?? 50;
  const newestFirst = (input.order ?? 'NEWEST_FIRST') === 'NEWEST_FIRST';
  const afterSeq = input.after ? decodeAuditCursor(input.after) : null;

  let q = ctx.db.selectFrom('audit_events').selectAll().where('org_id', '=', ctx.actor.orgId);
  q = applyAuditFilter(q, input.filter);
  if (afterSeq !== null) q = q.where('seq', newestFirst ? '<' : '>', afterSeq);
  // One row more than asked tells whether another page follows, without counting.
  const rows = await q
    .orderBy('seq', newestFirst ? 'desc' : 'asc')
    .limit(first + 1)
    .execute();
  return { events: rows.slice(0, first), hasNextPage: rows.length > first };
}

/**
 * The users the events name (actors, and targets that are users), in one query for a whole page. Only
 * for viewers who may read users: the audit trail alone does not open up user records.
 */
export async function usersOfAuditEvents(
  ctx: CommandContext,
  events: readonly AuditEventRow[],
): Promise<ReadonlyMap<string, UserRow>> {
  authorize(ctx.actor, 'audit:read');
  if (!can(ctx.actor, 'users:read')) return new Map();
  const ids = new Set<string>();
  for (const e of events) {
    if (e.actor_id) ids.add(e.actor_id);
    if (e.target_type === 'user' && e.target_id) ids.add(e.target_id);
  }
  if (ids.size === 0) return new Map();
  const users = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', 'in', [...ids])
    .execute();
  return new Map(users.map((u) => [u.id, u]));
}
