import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { mandatoryKinds, notificationKinds, type NotificationKind } from './notice-rules.js';

export const updateMyNotificationPreferencesInput = z
  .object({
    optOut: z.array(z.enum(notificationKinds)).max(notificationKinds.length).nullish(),
    optIn: z.array(z.enum(notificationKinds)).max(notificationKinds.length).nullish(),
  })
  .strict();

/** The kinds the signed-in user has opted out of. */
export async function myNotificationOptOuts(ctx: CommandContext): Promise<NotificationKind[]> {
  if (ctx.actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const rows = await ctx.db
    .selectFrom('notification_opt_outs')
    .select('kind')
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', '=', ctx.actor.userId)
    .orderBy('kind')
    .execute();
  return rows.map((r) => r.kind as NotificationKind);
}

/**
 * Opts the signed-in user out of (or back into) optional notices. Security notices are mandatory: asking
 * to opt out of one is refused, naming it. Not audited: a personal preference, not an administrative change.
 */
export async function updateMyNotificationPreferences(
  ctx: CommandContext,
  raw: z.input<typeof updateMyNotificationPreferencesInput>,
): Promise<NotificationKind[]> {
  if (ctx.actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(updateMyNotificationPreferencesInput, raw);
  const optOut = [...new Set(input.optOut ?? [])];
  const optIn = [...new Set(input.optIn ?? [])];
  const mandatory = optOut.find((k) => mandatoryKinds.has(k));
  if (mandatory) {
    throw new DomainError('VALIDATION_FAILED', `${mandatory} is a mandatory notice.`, {
      field: 'optOut',
      kind: mandatory,
    });
  }
  const both = optOut.find((k) => optIn.includes(k));
  if (both)
    throw new DomainError('VALIDATION_FAILED', `${both} is in both lists.`, { field: 'optIn', kind: both });
  const { orgId, userId } = ctx.actor;
  await withTransaction(ctx.db, async ({ trx }) => {
    if (optOut.length > 0) {
      await trx
        .insertInto('notification_opt_outs')
        .values(optOut.map((kind) => ({ org_id: orgId, user_id: userId, kind })))
        .onConflict((oc) => oc.columns(['org_id', 'user_id', 'kind']).doNothing())
        .execute();
    }
    if (optIn.length > 0) {
      await trx
        .deleteFrom('notification_opt_outs')
        .where('org_id', '=', orgId)
        .where('user_id', '=', userId)
        .where('kind', 'in', optIn)
        .execute();
    }
  });
  return myNotificationOptOuts(ctx);
}
