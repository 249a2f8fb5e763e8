import {
  authorizeAnywhere,
  authorizeOnUser,
  primaryDepartmentPath,
  withPrimaryPath,
} from '../../authz/load-access.js';
import type { OrganizationRow, UserRow } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { actorUserId } from '../shared/context.js';

/**
 * One user of the viewer's organisation. Users may always read themselves; a department manager reads the
 * users whose primary department is in its subtrees (FORBIDDEN for the others of its organisation; another
 * organisation's user is NOT_FOUND like a missing one).
 */
export async function getUser(ctx: CommandContext, userId: string): Promise<UserRow> {
  const self = actorUserId(ctx.actor) === userId;
  if (!self) await authorizeAnywhere(ctx, 'users:read');
  if (!isUuid(userId)) throw new DomainError('NOT_FOUND');
  const row = await ctx.db
    .selectFrom('users')
    .selectAll()
    .select(primaryDepartmentPath)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw new DomainError('NOT_FOUND');
  // The path comes with the row, so a department manager's scope check costs no second query.
  const user = withPrimaryPath(row);
  if (!self) await authorizeOnUser(ctx, ctx.db, 'users:read', user, 'read');
  return user;
}

/** The signed-in user. */
export async function getViewer(ctx: CommandContext): Promise<UserRow> {
  const userId = actorUserId(ctx.actor);
  if (userId === null) throw new DomainError('UNAUTHENTICATED');
  return getUser(ctx, userId);
}

export async function getOrganization(ctx: CommandContext): Promise<OrganizationRow> {
  const org = await ctx.db
    .selectFrom('organizations')
    .selectAll()
    .where('id', '=', ctx.actor.orgId)
    .executeTakeFirst();
  if (!org) throw new DomainError('NOT_FOUND');
  return org;
}
