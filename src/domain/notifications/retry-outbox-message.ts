import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import type { OutboxMessage } from './deliver-outbox.js';
import { nudgeDelivery } from './delivery-nudge.js';

export const retryOutboxMessageInput = z
  .object({ id: z.string().max(64).refine(isUuid, 'must be a UUID') })
  .strict();

/**
 * Puts a failed or dead message back in the queue, due now, with a fresh count of attempts (a dead one
 * has used them all). Sending messages are the worker's; sent ones are not sent again.
 */
export async function retryOutboxMessage(
  ctx: CommandContext,
  raw: z.input<typeof retryOutboxMessageInput>,
): Promise<OutboxMessage> {
  authorize(ctx.actor, 'security:manage');
  const input = parseInput(retryOutboxMessageInput, raw);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const m = await trx
      .selectFrom('outbox_messages')
      .selectAll()
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', input.id)
      .forUpdate()
      .executeTakeFirst();
    if (!m) throw new DomainError('NOT_FOUND');
    if (m.status !== 'failed' && m.status !== 'dead') {
      throw new DomainError('INVALID_TRANSITION', 'Only a failed or dead message can be retried.', {
        field: 'id',
      });
    }
    const updated = await trx
      .updateTable('outbox_messages')
      .set({ status: 'queued', next_attempt_at: now, attempts: 0, lease_until: null })
      .where('org_id', '=', m.org_id)
      .where('id', '=', m.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      m.org_id,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'outbox.retried',
        targetType: 'outbox_message',
        targetId: m.id,
        changes: { status: { from: m.status, to: 'queued' }, attempts: { from: m.attempts, to: 0 } },
      },
    );
    scope.onCommit(() => nudgeDelivery());
    return updated;
  });
}
