import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import { compareRoles, isDowngrade, isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction, type TransactionScope } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { Actor, CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import { bumpVersion, checkVersion, guardLastOwner, lockUser, roleOf } from './user-record.js';
import { notify } from '../notifications/notify.js';
import { isPrivilegedRole } from '../../authz/privileged-roles.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import { actorMayGrantRole } from '../../authz/actor-permissions.js';
import { actorUserId } from '../shared/context.js';

/**
 * Refuses a role the actor may not give or take away: it must hold every permission of the role. The
 * system actor (CLI, scheduled work) may grant any role. Only the owner role holds
 * organization:manage_ownership, so granting or removing ownership needs it without a special case.
 */
export function assertCanGrant(actor: Actor, role: RoleKey, field: string): void {
  if (!actorMayGrantRole(actor, role)) {
    throw new DomainError('ROLE_NOT_GRANTABLE', undefined, { field, role });
  }
}

/** The role named by the input when it is exactly a role key ("owner ", "Owner" are not) and grantable. */
export function grantableRole(actor: Actor, role: string, field: string): RoleKey {
  if (!isRoleKey(role)) throw new DomainError('UNKNOWN_ROLE', undefined, { field });
  assertCanGrant(actor, role, field);
  return role;
}

export const changeUserRoleInput = z
  .object({
    userId: z.string().max(64),
    role: z.string().max(64),
    expectedVersion: z.number().int().nullish(),
  })
  .strict();

/**
 * Moves a user to another role. The actor must hold users:change_role over the user (org-wide, or as a
 * manager of a department over the user's primary one) and be able to grant both the current and the new
 * role, the last active owner keeps ownership, and a move that loses any permission ends the user's
 * sessions in the same transaction so no token keeps the old rights. A move into or out of a privileged
 * role (authz/privileged-roles.ts) needs the actor's recent authentication (step-up). Asking for the role the user already has is refused
 * (VALIDATION_FAILED) rather than silently accepted, so a client never believes it changed something.
 */
export async function changeUserRole(
  ctx: CommandContext,
  raw: z.input<typeof changeUserRoleInput>,
): Promise<UserRow> {
  await authorizeAnywhere(ctx, 'users:change_role');
  const input = parseInput(changeUserRoleInput, raw);
  const to = grantableRole(ctx.actor, input.role, 'role');
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    const user = await lockUser(scope.trx, orgId, input.userId);
    // Through manager scope: the user's primary department is in the actor's subtrees (the roles, old and
    // new, are capped by the actor's own role below, as for everyone).
    await authorizeOnUser(ctx, scope.trx, 'users:change_role', user, 'write');
    checkVersion(user, input.expectedVersion);
    if (actorUserId(ctx.actor) === user.id) throw new DomainError('CANNOT_TARGET_SELF');
    if (user.status === 'deactivated') {
      throw new DomainError('INVALID_TRANSITION', 'The role of a deactivated user cannot change.', {
        from: user.status,
      });
    }
    const from = roleOf(user);
    assertCanGrant(ctx.actor, from, 'role');
    if (from === to) {
      throw new DomainError('VALIDATION_FAILED', 'The user already has this role.', { field: 'role' });
    }
    // Step-up: making someone privileged, or taking it away, needs a recent authentication.
    if (isPrivilegedRole(from) || isPrivilegedRole(to)) await requireRecentAuthentication(ctx, scope.trx);
    if (from === 'owner') await guardLastOwner(scope.trx, user);

    return applyRoleChange(scope, ctx, user, from, to, 'manual');
  });
}

/**
 * Inside the caller's transaction, with the user locked and every check made: moves the user from `from` to
 * `to` — the row (and whether a person or a group mapping gave the role), a pending invitation's role, the
 * audit event, the end of the user's sessions when the move loses a permission, and the notice. Shared by
 * changeUserRole and the SCIM group→role mapping (changeDepartmentMembers).
 */
export async function applyRoleChange(
  scope: TransactionScope,
  ctx: CommandContext,
  user: Pick<UserRow, 'id' | 'org_id'>,
  from: RoleKey,
  to: RoleKey,
  source: 'manual' | 'group_mapping',
): Promise<UserRow> {
  const orgId = user.org_id;
  const now = ctx.clock.now();
  const updated = await scope.trx
    .updateTable('users')
    .set({ role: to, role_source: source, updated_at: now, version: bumpVersion })
    .where('org_id', '=', orgId)
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  // An invited user's pending invitation shows the role the link will grant: keep it in step.
  await scope.trx
    .updateTable('invitations')
    .set({ role: to })
    .where('org_id', '=', orgId)
    .where('user_id', '=', user.id)
    .where('status', '=', 'pending')
    .execute();

  const { gained, lost } = compareRoles(from, to);
  await recordAuditEvent(
    scope.trx,
    orgId,
    { actor: ctx.actor, meta: ctx.meta, now },
    {
      action: 'user.role_changed',
      targetType: 'user',
      targetId: user.id,
      changes: { role: { from, to }, gained, lost },
    },
  );
  if (isDowngrade(from, to)) {
    await revokeSessions(scope, ctx.revocations, { orgId, userId: user.id }, 'user.role_changed', now);
  }
  await notify(scope, ctx, {
    kind: 'role_changed',
    user: updated,
    from,
    to,
    gained: gained.length,
    lost: lost.length,
  });
  return updated;
}
