import { sql } from 'kysely';
import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import type { OutboxMessage } from './deliver-outbox.js';
import { outboxStatuses } from './outbox-status.js';

export const listOutboxMessagesInput = z
  .object({
    status: z.array(z.enum(outboxStatuses)).max(5).nullish(),
    first: z.number().int().min(1).max(200).nullish(),
    after: z.string().max(200).nullish(),
  })
  .strict();

/** An outbox row with its creation time as exact text (microseconds), so a cursor never skips a row. */
export type OutboxMessageListed = OutboxMessage & { created_at_exact: string };

export interface OutboxMessagePage {
  messages: OutboxMessageListed[];
  hasNextPage: boolean;
}

export function encodeOutboxCursor(m: OutboxMessageListed): string {
  return Buffer.from(`${m.created_at_exact}|${m.id}`).toString('base64url');
}

function decodeOutboxCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || !isUuid(id) || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(createdAt)) {
    throw new DomainError('VALIDATION_FAILED', 'after: not a cursor of this list', { field: 'after' });
  }
  return { createdAt, id };
}

/**
 * The organisation's outgoing mail with its delivery state, newest first; keyset on (created_at, id).
 * For operators: needs `security:manage`.
 */
export async function listOutboxMessages(
  ctx: CommandContext,
  raw: z.input<typeof listOutboxMessagesInput>,
): Promise<OutboxMessagePage> {
  authorize(ctx.actor, 'security:manage');
  const input = parseInput(listOutboxMessagesInput, raw);
  const first = input.first ?? 50;
  let q = ctx.db
    .selectFrom('outbox_messages')
    .selectAll()
    .select(
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
        'created_at_exact',
      ),
    )
    .where('org_id', '=', ctx.actor.orgId);
  if (input.status && input.status.length > 0) q = q.where('status', 'in', input.status);
  if (input.after) {
    const c = decodeOutboxCursor(input.after);
    q = q.where(sql<boolean>`(created_at, id) < (${c.createdAt}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(first + 1)
    .execute();
  return { messages: rows.slice(0, first), hasNextPage: rows.length > first };
}
