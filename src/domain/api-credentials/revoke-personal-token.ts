import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { actorUserId, type CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { viewOfPersonalToken, type PersonalTokenView } from './personal-token-record.js';

export const revokePersonalTokenInput = z.object({ id: z.string().max(64) }).strict();

/**
 * Ends one of your own personal tokens at once (a token may end itself: a leaked script credential
 * is revoked with what is at hand). Someone else's token answers NOT_FOUND, like a missing one.
 */
export async function revokePersonalToken(
  ctx: CommandContext,
  raw: z.input<typeof revokePersonalTokenInput>,
): Promise<PersonalTokenView> {
  const userId = actorUserId(ctx.actor);
  if (userId === null) throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(revokePersonalTokenInput, raw);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async ({ trx }) => {
    const row = isUuid(input.id)
      ? await trx
          .selectFrom('personal_api_tokens')
          .selectAll()
          .where('org_id', '=', ctx.actor.orgId)
          .where('user_id', '=', userId)
          .where('id', '=', input.id)
          .forUpdate()
          .executeTakeFirst()
      : undefined;
    if (!row) throw new DomainError('NOT_FOUND');
    if (row.revoked_at !== null)
      throw new DomainError('INVALID_TRANSITION', 'This token is already revoked.');
    const updated = await trx
      .updateTable('personal_api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      row.org_id,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'personal_token.revoked',
        targetType: 'user',
        targetId: userId,
        changes: { tokenId: row.id, name: row.name },
      },
    );
    return viewOfPersonalToken(updated);
  });
}
