import { can } from '../../authz/authorize.js';
import { canGrantRole, isRoleKey } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import type { Actor } from '../shared/context.js';
import { canApply, type UserStatus } from './user-status.js';

/** What the viewer may do to a user, so that no client re-implements the rules. Pure. */
export interface UserActions {
  updateProfile: boolean;
  changeRole: boolean;
  suspend: boolean;
  reactivate: boolean;
  deactivate: boolean;
  revokeSessions: boolean;
  resendInvitation: boolean;
  revokeInvitation: boolean;
}

export function allowedUserActions(actor: Actor, user: UserRow): UserActions {
  const status = user.status as UserStatus;
  const self = actor.type === 'user' && actor.userId === user.id;
  const sameOrg = actor.orgId === user.org_id;
  const targetRoleGrantable =
    actor.type === 'system' || (isRoleKey(user.role) && canGrantRole(actor.role, user.role));
  const ok = (b: boolean) => sameOrg && b;
  return {
    updateProfile: ok(self || can(actor, 'users:update')),
    changeRole: ok(
      !self && status !== 'deactivated' && can(actor, 'users:change_role') && targetRoleGrantable,
    ),
    suspend: ok(!self && canApply(status, 'suspend') && can(actor, 'users:suspend')),
    reactivate: ok(canApply(status, 'reactivate') && can(actor, 'users:reactivate')),
    deactivate: ok(!self && canApply(status, 'deactivate') && can(actor, 'users:deactivate')),
    revokeSessions: ok(self || can(actor, 'users:revoke_sessions')),
    resendInvitation: ok(status === 'invited' && can(actor, 'invitations:resend')),
    revokeInvitation: ok(status === 'invited' && can(actor, 'invitations:revoke')),
  };
}
