import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockScimToken, viewOfScimToken, type ScimTokenView } from './scim-token-record.js';

export const revokeScimTokenInput = z.object({ id: z.string().max(64) }).strict();

/**
 * Ends a SCIM token at once (its next request is refused: authentication reads the row every time).
 * `api_credentials:manage`; no step-up: taking a credential away is the safe direction.
 */
export async function revokeScimToken(
  ctx: CommandContext,
  raw: z.input<typeof revokeScimTokenInput>,
): Promise<ScimTokenView> {
  authorize(ctx.actor, 'api_credentials:manage');
  const input = parseInput(revokeScimTokenInput, raw);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async ({ trx }) => {
    const row = await lockScimToken(trx, ctx.actor.orgId, input.id);
    if (row.revoked_at !== null) {
      throw new DomainError('INVALID_TRANSITION', 'This token is already revoked.');
    }
    const updated = await trx
      .updateTable('scim_tokens')
      .set({ revoked_at: now })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      row.org_id,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'scim_token.revoked',
        targetType: 'scim_token',
        targetId: row.id,
        changes: { name: row.name },
      },
    );
    return viewOfScimToken(updated);
  });
}
