import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { SessionRow } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { actorUserId } from '../shared/context.js';

/** The most recent sessions shown per user. */
export const sessionListLimit = 100;

/**
 * A user's sessions, newest first, including ended ones. Your own need no permission; anyone else's need
 * `sessions:read` over them (org-wide, or as a manager of their primary department's subtree). Another organisation's user is NOT_FOUND, like a missing one.
 */
export async function listSessions(ctx: CommandContext, userId?: string | null): Promise<SessionRow[]> {
  const own = actorUserId(ctx.actor);
  const target = userId ?? own;
  const self = target !== null && target === own;
  if (!self) await authorizeAnywhere(ctx, 'sessions:read');
  if (target === null || !isUuid(target)) throw new DomainError('NOT_FOUND');
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', target)
    .executeTakeFirst();
  if (!user) throw new DomainError('NOT_FOUND');
  if (!self) await authorizeOnUser(ctx, ctx.db, 'sessions:read', user, 'read');
  return ctx.db
    .selectFrom('sessions')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', '=', user.id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(sessionListLimit)
    .execute();
}
