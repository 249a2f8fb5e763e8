import type { RoleKey } from '../../../authz/roles.js';
import type { UserRow } from '../../../db/schema.js';
import { allowedUserActions, type UserActions } from '../../../domain/users/user-policy.js';
import type { UserStatus } from '../../../domain/users/user-status.js';
import { builder } from '../builder.js';
import { RoleKeyEnum, UserStatusEnum } from './enums.js';

const UserActionsRef = builder.objectRef<UserActions>('UserActions').implement({
  description: 'Which actions the viewer may take on this user now. The console shows only these.',
  fields: (t) => ({
    updateProfile: t.exposeBoolean('updateProfile'),
    changeRole: t.exposeBoolean('changeRole'),
    suspend: t.exposeBoolean('suspend'),
    reactivate: t.exposeBoolean('reactivate'),
    deactivate: t.exposeBoolean('deactivate'),
    revokeSessions: t.exposeBoolean('revokeSessions'),
    resendInvitation: t.exposeBoolean('resendInvitation'),
    revokeInvitation: t.exposeBoolean('revokeInvitation'),
  }),
});

export const UserRef = builder.objectRef<UserRow>('User').implement({
  description: 'A person in the organisation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    displayName: t.exposeString('display_name'),
    jobTitle: t.exposeString('job_title', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    locale: t.exposeString('locale', { nullable: true }),
    timeZone: t.exposeString('time_zone', { nullable: true }),
    attributes: t.field({ type: 'JSON', resolve: (u) => u.attributes }),
    role: t.field({ type: RoleKeyEnum, resolve: (u) => u.role as RoleKey }),
    status: t.field({ type: UserStatusEnum, resolve: (u) => u.status as UserStatus }),
    statusReason: t.exposeString('status_reason', { nullable: true }),
    statusChangedAt: t.field({ type: 'DateTime', resolve: (u) => u.status_changed_at }),
    suspendedUntil: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.suspended_until }),
    createdAt: t.field({ type: 'DateTime', resolve: (u) => u.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (u) => u.updated_at }),
    activatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.activated_at }),
    lastLoginAt: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.last_login_at }),
    lastActiveAt: t.field({ type: 'DateTime', nullable: true, resolve: (u) => u.last_active_at }),
    version: t.exposeInt('version', {
      description: 'Pass back as `expectedVersion` to refuse stale writes.',
    }),
    viewerCan: t.field({
      type: UserActionsRef,
      resolve: (u, _args, ctx) =>
        ctx.actor
          ? allowedUserActions(ctx.actor, u)
          : {
              updateProfile: false,
              changeRole: false,
              suspend: false,
              reactivate: false,
              deactivate: false,
              revokeSessions: false,
              resendInvitation: false,
              revokeInvitation: false,
            },
    }),
  }),
});
