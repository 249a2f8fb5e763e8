import { z } from 'zod';
import type { PasskeyRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { passkeyName } from './passkey-name.js';

export const renamePasskeyInput = z.object({ id: z.string().max(64), name: passkeyName }).strict();

/** The signed-in user renames one of their own passkeys; anyone else's (or none) is NOT_FOUND. Audited. */
export async function renamePasskey(
  ctx: CommandContext,
  raw: z.input<typeof renamePasskeyInput>,
): Promise<PasskeyRow> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(renamePasskeyInput, raw);
  if (!isUuid(input.id)) throw new DomainError('NOT_FOUND');
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const before = await scope.trx
      .selectFrom('passkeys')
      .select('name')
      .where('org_id', '=', actor.orgId)
      .where('user_id', '=', actor.userId)
      .where('id', '=', input.id)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!before) throw new DomainError('NOT_FOUND');
    const passkey = await scope.trx
      .updateTable('passkeys')
      .set({ name: input.name })
      .where('org_id', '=', actor.orgId)
      .where('user_id', '=', actor.userId)
      .where('id', '=', input.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      scope.trx,
      actor.orgId,
      { actor, meta: ctx.meta, now },
      {
        action: 'user.passkey_renamed',
        targetType: 'user',
        targetId: actor.userId,
        changes: { passkeyId: passkey.id, name: { from: before.name, to: passkey.name } },
      },
    );
    return passkey;
  });
}
