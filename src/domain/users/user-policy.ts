import { mayActOn, type Access, type TargetUser } from '../../authz/access.js';
import type { Permission } from '../../authz/permissions.js';
import { isRoleKey } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import { canApply, type UserStatus } from './user-status.js';
import { actorMayGrantRole } from '../../authz/actor-permissions.js';
import { actorUserId } from '../shared/context.js';

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
  /** Lift a sign-in lockout or clear the failure count (what `unlockUser` accepts). */
  unlock: boolean;
  /** Replace the user's departments (`setUserDepartments`; each membership must also be in reach). */
  setDepartments: boolean;
  /** Email the user a password reset link (`sendPasswordReset`: active accounts only). */
  sendPasswordReset: boolean;
}

export const noUserActions: UserActions = {
  updateProfile: false,
  changeRole: false,
  suspend: false,
  reactivate: false,
  deactivate: false,
  revokeSessions: false,
  resendInvitation: false,
  revokeInvitation: false,
  unlock: false,
  setDepartments: false,
  sendPasswordReset: false,
};

/**
 * The actions the commands would allow, from the actor's access (org-wide permissions and managed
 * subtrees) and where the user sits (`primaryPath`: the path of the user's primary department, null when
 * none). Through manager scope an action needs the user's primary department in a managed subtree carrying
 * the permission and a role the actor could grant (`mayActOn`, kind write). Pure.
 */
export function allowedUserActions(access: Access, user: UserRow, primaryPath: string | null): UserActions {
  const actor = access.actor;
  if (actor.orgId !== user.org_id) return { ...noUserActions };
  const status = user.status as UserStatus;
  const self = actorUserId(actor) === user.id;
  const target: TargetUser = { id: user.id, role: user.role, primaryPath };
  const may = (p: Permission) => mayActOn(access, p, target, 'write');
  // Changing the role, or resending the link (it grants the role), needs the right to grant the role held.
  const targetRoleGrantable = isRoleKey(user.role) && actorMayGrantRole(actor, user.role);
  return {
    updateProfile: self || may('users:update'),
    changeRole: !self && status !== 'deactivated' && may('users:change_role') && targetRoleGrantable,
    suspend: !self && canApply(status, 'suspend') && may('users:suspend'),
    reactivate: canApply(status, 'reactivate') && may('users:reactivate'),
    deactivate: !self && canApply(status, 'deactivate') && may('users:deactivate'),
    revokeSessions: self || may('users:revoke_sessions'),
    resendInvitation: status === 'invited' && may('invitations:resend') && targetRoleGrantable,
    revokeInvitation: status === 'invited' && may('invitations:revoke'),
    setDepartments: may('users:update'),
    unlock: (user.failed_login_count > 0 || user.locked_until !== null) && may('security:manage'),
    sendPasswordReset: status === 'active' && may('security:manage'),
  };
}
