import DataLoader from 'dataloader';
import type { RoleKey } from '../../../authz/roles.js';
import type { UserRow } from '../../../db/schema.js';
import { userActionsOf } from '../../../domain/users/user-actions.js';
import { noUserActions, type UserActions } from '../../../domain/users/user-policy.js';
import {
  defaultStatusPeriods,
  maxStatusPeriods,
  statusHistoriesOf,
  type StatusPeriod,
} from '../../../domain/users/user-status-history.js';
import type { UserStatus } from '../../../domain/users/user-status.js';
import { builder } from '../builder.js';
import { commandContext, type GraphQLContext } from '../context.js';
import { RoleKeyEnum, UserStatusEnum } from './enums.js';

/**
 * One loader per request: a page of users asking for `viewerCan` costs at most one query (the primary
 * departments' paths, and only for a viewer who manages a department). Not cached: a row returned after a
 * change in the same request must be judged as it is now.
 */
const actionLoaders = new WeakMap<GraphQLContext, DataLoader<UserRow, UserActions>>();
function userActionsLoader(ctx: GraphQLContext): DataLoader<UserRow, UserActions> {
  let loader = actionLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((users) => userActionsOf(commandContext(ctx), users), { cache: false });
    actionLoaders.set(ctx, loader);
  }
  return loader;
}

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
    unlock: t.exposeBoolean('unlock'),
    setDepartments: t.exposeBoolean('setDepartments'),
    sendPasswordReset: t.exposeBoolean('sendPasswordReset', {
      description: 'Email the user a password reset link (`sendPasswordReset`).',
    }),
  }),
});

export const UserRef = builder.objectRef<UserRow>('User');

/** One loader per request and page size: a page of users asking for `statusHistory` costs two queries. */
const historyLoaders = new WeakMap<GraphQLContext, Map<number, DataLoader<UserRow, StatusPeriod[]>>>();
function statusHistoryLoader(ctx: GraphQLContext, first: number): DataLoader<UserRow, StatusPeriod[]> {
  let bySize = historyLoaders.get(ctx);
  if (!bySize) {
    bySize = new Map();
    historyLoaders.set(ctx, bySize);
  }
  let loader = bySize.get(first);
  if (!loader) {
    loader = new DataLoader<UserRow, StatusPeriod[]>(
      (users) => statusHistoriesOf(commandContext(ctx), users, first),
      {
        cache: false,
      },
    );
    bySize.set(first, loader);
  }
  return loader;
}

const UserStatusPeriodRef = builder.objectRef<StatusPeriod>('UserStatusPeriod').implement({
  description: 'An interval during which a user had one status.',
  fields: (t) => ({
    status: t.field({ type: UserStatusEnum, resolve: (p) => p.status }),
    from: t.field({ type: 'DateTime', resolve: (p) => p.from }),
    to: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the status ended; null while it lasts.',
      resolve: (p) => p.to,
    }),
    action: t.string({
      nullable: true,
      description:
        'The audit action that began the period, such as `user.suspended`; null when the audit trail has none (seeded users).',
      resolve: (p) => p.cause?.action ?? null,
    }),
    reason: t.string({
      nullable: true,
      description: 'The reason recorded with the change, if any.',
      resolve: (p) => p.cause?.reason ?? null,
    }),
    changedBySystem: t.boolean({
      description: 'True when the change was made by the system (the end of a suspension) or the CLI.',
      resolve: (p) => p.cause !== null && p.cause.actorType !== 'user',
    }),
    changedBy: t.field({
      type: UserRef,
      nullable: true,
      description:
        'The user who made the change. Null unless the viewer holds `audit:read` and `users:read` for the whole organisation.',
      resolve: (p) => p.cause?.actor ?? null,
    }),
  }),
});

UserRef.implement({
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
    statusHistory: t.field({
      type: [UserStatusPeriodRef],
      nullable: true,
      description: `The user's statuses over time, newest first (at most \`first\`, ${maxStatusPeriods} at most). Readable by the user themself and by whoever may read the user: FORBIDDEN (and null) for a department manager outside its subtrees.`,
      args: { first: t.arg.int({ defaultValue: defaultStatusPeriods }) },
      resolve: (u, { first }, ctx) => statusHistoryLoader(ctx, first ?? defaultStatusPeriods).load(u),
    }),
    viewerCan: t.field({
      type: UserActionsRef,
      resolve: (u, _args, ctx) => (ctx.actor ? userActionsLoader(ctx).load(u) : { ...noUserActions }),
    }),
  }),
});
