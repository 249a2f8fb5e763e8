import type { PasskeyRow } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';

/** The signed-in user's own passkeys, oldest first. */
export async function listMyPasskeys(ctx: CommandContext): Promise<PasskeyRow[]> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  return ctx.db
    .selectFrom('passkeys')
    .selectAll()
    .where('org_id', '=', actor.orgId)
    .where('user_id', '=', actor.userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
