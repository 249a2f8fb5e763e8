import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';

export const removePasskeyInput = z.object({ id: z.string().max(64) }).strict();

/**
 * The signed-in user removes one of their own passkeys (anyone else's, or none: NOT_FOUND), under their
 * row lock (beside a registration in flight). Audited; the person is emailed.
 */
export async function removePasskey(
  ctx: CommandContext,
  raw: z.input<typeof removePasskeyInput>,
): Promise<{ id: string }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(removePasskeyInput, raw);
  if (!isUuid(input.id)) throw new DomainError('NOT_FOUND');
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const user = await lockUser(scope.trx, actor.orgId, actor.userId);
    const removed = await scope.trx
      .deleteFrom('passkeys')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .where('id', '=', input.id)
      .returning(['id', 'name', 'aaguid'])
      .executeTakeFirst();
    if (!removed) throw new DomainError('NOT_FOUND');
    await recordAuditEvent(
      scope.trx,
      user.org_id,
      { actor, meta: ctx.meta, now },
      {
        action: 'user.passkey_removed',
        targetType: 'user',
        targetId: user.id,
        changes: { passkeyId: removed.id, name: removed.name, aaguid: removed.aaguid },
      },
    );
    await notify(scope, ctx, {
      kind: 'passkey_changed',
      userId: user.id,
      passkeyId: removed.id,
      name: removed.name,
      how: 'removed',
    });
    return { id: removed.id };
  });
}
