import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';

export const markNotificationsReadInput = z
  .object({
    ids: z.array(z.string().max(64)).max(200).nullish(),
    all: z.boolean().nullish(),
  })
  .strict()
  .refine((v) => v.all === true || (v.ids?.length ?? 0) > 0, {
    message: 'Give ids or all: true.',
    path: ['ids'],
  });

/**
 * Marks the signed-in user's own notifications read: the given ids, or all. Ids of other people's
 * notifications (or unknown ids) are ignored rather than reported, so nobody can probe for them. Not
 * audited: reading one's own notifications is not an administrative change. Returns the count marked.
 */
export async function markNotificationsRead(
  ctx: CommandContext,
  raw: z.input<typeof markNotificationsReadInput>,
): Promise<number> {
  if (ctx.actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(markNotificationsReadInput, raw);
  const { orgId, userId } = ctx.actor;
  const ids = (input.ids ?? []).filter(isUuid);
  if (!input.all && ids.length === 0) return 0;
  return withTransaction(ctx.db, async (scope) => {
    let q = scope.trx
      .updateTable('notifications')
      .set({ read_at: ctx.clock.now() })
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .where('read_at', 'is', null);
    if (!input.all) q = q.where('id', 'in', ids);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  });
}
