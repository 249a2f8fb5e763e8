import { DomainError } from '../errors.js';
import { actorUserId, type CommandContext } from '../shared/context.js';
import { viewOfPersonalToken, type PersonalTokenView } from './personal-token-record.js';

/** Your own personal tokens, newest first (the latest 100), never a secret or its hash. */
export async function listMyPersonalTokens(ctx: CommandContext): Promise<PersonalTokenView[]> {
  const userId = actorUserId(ctx.actor);
  if (userId === null) throw new DomainError('UNAUTHENTICATED');
  const rows = await ctx.db
    .selectFrom('personal_api_tokens')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
  return rows.map(viewOfPersonalToken);
}
