import { authorize } from '../../authz/authorize.js';
import type { CommandContext } from '../shared/context.js';
import { viewOfScimToken, type ScimTokenView } from './scim-token-record.js';

/**
 * The organisation's SCIM tokens, newest first, never a secret or its hash. Bounded: live tokens are at
 * most 50; the revoked and expired ones shown are the latest 100.
 */
export async function listScimTokens(ctx: CommandContext): Promise<ScimTokenView[]> {
  authorize(ctx.actor, 'api_credentials:manage');
  const rows = await ctx.db
    .selectFrom('scim_tokens')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(150)
    .execute();
  return rows.map(viewOfScimToken);
}
