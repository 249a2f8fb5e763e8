import {
  countUnreadNotifications,
  encodeNotificationCursor,
  listNotifications,
  type NotificationPage,
  type NotificationRow,
} from '../../../domain/notifications/list-notifications.js';
import { markNotificationsRead } from '../../../domain/notifications/mark-notifications-read.js';
import {
  mandatoryKinds,
  notificationKinds,
  type AdminNoticeKind,
  type NotificationKind,
} from '../../../domain/notifications/notice-rules.js';
import {
  getNotificationSettings,
  updateNotificationSettings,
  type AdminNoticeRecipients,
  type NotificationSettings,
} from '../../../domain/notifications/notification-settings.js';
import {
  myNotificationOptOuts,
  updateMyNotificationPreferences,
} from '../../../domain/notifications/update-my-notification-preferences.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { RoleKeyEnum } from './enums.js';
import { PageInfoRef } from './page-info.js';
import { runMutation, UserError, type UserErrorShape } from './user-error.js';

const NotificationKindEnum = builder.enumType('NotificationKind', {
  description: 'What a notice is about. Security notices (and invitations) are mandatory.',
  values: Object.fromEntries(
    notificationKinds.map((k) => [k.toUpperCase(), { value: k }]),
  ) as unknown as Record<Uppercase<NotificationKind>, { value: NotificationKind }>,
});

const NotificationRef = builder.objectRef<NotificationRow>('Notification').implement({
  description: 'An in-app notice for the signed-in user (administrators hear about lifecycle changes).',
  fields: (t) => ({
    id: t.id({ resolve: (n) => n.id }),
    kind: t.field({ type: NotificationKindEnum, resolve: (n) => n.kind as NotificationKind }),
    title: t.string({ resolve: (n) => n.title }),
    body: t.string({ resolve: (n) => n.body }),
    userId: t.id({
      nullable: true,
      description: 'The user the notice is about.',
      resolve: (n) => (typeof n.data.userId === 'string' ? n.data.userId : null),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (n) => n.created_at }),
    readAt: t.field({ type: 'DateTime', nullable: true, resolve: (n) => n.read_at }),
  }),
});

const NotificationEdgeRef = builder.objectRef<NotificationRow>('NotificationEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (n) => encodeNotificationCursor(n) }),
    node: t.field({ type: NotificationRef, resolve: (n) => n }),
  }),
});

const NotificationConnectionRef = builder.objectRef<NotificationPage>('NotificationConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [NotificationEdgeRef], resolve: (c) => c.notifications }),
    pageInfo: t.field({
      type: PageInfoRef,
      resolve: (c) => {
        const last = c.notifications[c.notifications.length - 1];
        return { hasNextPage: c.hasNextPage, endCursor: last ? encodeNotificationCursor(last) : null };
      },
    }),
  }),
});

const AdminNoticeRecipientsRef = builder.objectRef<AdminNoticeRecipients>('AdminNoticeRecipients').implement({
  description:
    'Who is told about one kind of notice instead of the defaults; not responsible and both lists empty: nobody.',
  fields: (t) => ({
    kind: t.field({ type: NotificationKindEnum, resolve: (e) => e.kind }),
    responsible: t.boolean({
      description: 'The people responsible for the affected user are told too (capped).',
      resolve: (e) => e.responsible,
    }),
    roles: t.field({ type: [RoleKeyEnum], resolve: (e) => e.roles }),
    userIds: t.idList({ description: 'Told while they are active users.', resolve: (e) => e.userIds }),
  }),
});

const NotificationSettingsRef = builder.objectRef<NotificationSettings>('NotificationSettings').implement({
  description:
    'Who receives administrators’ notices, when invitation reminders go out, and the email colour.',
  fields: (t) => ({
    responsibleRecipients: t.boolean({
      description:
        'By default, the people responsible for the affected user receive lifecycle notices: the managers of ' +
        'their departments and of those departments’ ancestors (at most 10, nearest first) and the ' +
        'longest-serving security officers (at most 10); owners (at most 5) when there is neither.',
      resolve: (s) => s.responsibleRecipients,
    }),
    adminRecipients: t.field({
      type: [RoleKeyEnum],
      description:
        'By default, active holders of these roles receive lifecycle notices too (never about their own ' +
        'actions), fanned out after the change commits; none unless set.',
      resolve: (s) => s.adminRecipients,
    }),
    adminRecipientUserIds: t.idList({
      description: 'By default, these people (while active) receive lifecycle notices too.',
      resolve: (s) => s.adminRecipientUserIds,
    }),
    byKind: t.field({
      type: [AdminNoticeRecipientsRef],
      description: 'Kinds whose recipients replace the defaults.',
      resolve: (s) => s.byKind,
    }),
    invitationReminderHours: t.int({
      description: 'Hours before expiry when a reminder is emailed; 0 disables.',
      resolve: (s) => s.invitationReminderHours,
    }),
    brandColor: t.string({ description: 'The colour of the emails, #rrggbb.', resolve: (s) => s.brandColor }),
  }),
});

builder.queryFields((t) => ({
  notifications: t.field({
    type: NotificationConnectionRef,
    description: 'Your own in-app notifications, newest first.',
    args: {
      first: t.arg.int({ description: '1 to 200; 50 when absent.' }),
      after: t.arg.string(),
      unreadOnly: t.arg.boolean(),
    },
    resolve: (_r, args, ctx) =>
      listNotifications(commandContext(ctx), {
        first: args.first ?? null,
        after: args.after ?? null,
        unreadOnly: args.unreadOnly ?? null,
      }),
  }),
  unreadNotificationCount: t.int({
    description: 'How many of your notifications are unread.',
    resolve: (_r, _a, ctx) => countUnreadNotifications(commandContext(ctx)),
  }),
  notificationSettings: t.field({
    type: NotificationSettingsRef,
    description: 'The organisation’s notification settings. Requires `organization:read`.',
    resolve: (_r, _a, ctx) => getNotificationSettings(commandContext(ctx)),
  }),
  myNotificationOptOuts: t.field({
    type: [NotificationKindEnum],
    description: 'The optional notices you chose not to receive.',
    resolve: (_r, _a, ctx) => myNotificationOptOuts(commandContext(ctx)),
  }),
  mandatoryNotificationKinds: t.field({
    type: [NotificationKindEnum],
    description: 'The notices nobody can opt out of (security notices and invitations).',
    resolve: (_r, _a, ctx) => {
      commandContext(ctx); // signed-in only
      return notificationKinds.filter((k) => mandatoryKinds.has(k));
    },
  }),
}));

const MarkNotificationsReadInput = builder.inputType('MarkNotificationsReadInput', {
  fields: (t) => ({
    ids: t.idList({ description: 'Your notifications to mark read; others are ignored.' }),
    all: t.boolean({ description: 'Mark all of yours read.' }),
  }),
});

const AdminNoticeRecipientsInput = builder.inputType('AdminNoticeRecipientsInput', {
  fields: (t) => ({
    kind: t.field({ type: NotificationKindEnum, required: true, description: 'A lifecycle kind.' }),
    responsible: t.boolean({
      description: 'Tell the people responsible for the user too; false when absent.',
    }),
    roles: t.field({ type: [RoleKeyEnum], required: true }),
    userIds: t.idList({ required: true, description: 'Users of this organisation; at most 50.' }),
  }),
});

const UpdateNotificationSettingsInput = builder.inputType('UpdateNotificationSettingsInput', {
  fields: (t) => ({
    responsibleRecipients: t.boolean({
      description: 'Whether the people responsible for the affected user are told by default.',
    }),
    adminRecipients: t.field({ type: [RoleKeyEnum], description: 'Default roles for every lifecycle kind.' }),
    adminRecipientUserIds: t.idList({
      description: 'Default people (users of this organisation; at most 50).',
    }),
    byKind: t.field({
      type: [AdminNoticeRecipientsInput],
      description: 'Replace the defaults for these kinds; other kinds keep what they have.',
    }),
    resetKinds: t.field({
      type: [NotificationKindEnum],
      description: 'Remove these kinds’ overrides: they follow the defaults again.',
    }),
    invitationReminderHours: t.int(),
    brandColor: t.string(),
  }),
});

const UpdateMyNotificationPreferencesInput = builder.inputType('UpdateMyNotificationPreferencesInput', {
  fields: (t) => ({
    optOut: t.field({ type: [NotificationKindEnum], description: 'Stop these (optional kinds only).' }),
    optIn: t.field({ type: [NotificationKindEnum], description: 'Receive these again.' }),
  }),
});

const MarkNotificationsReadPayload = builder
  .objectRef<{ markedCount?: number; unreadCount?: number; userErrors: UserErrorShape[] }>(
    'MarkNotificationsReadPayload',
  )
  .implement({
    fields: (t) => ({
      markedCount: t.int({ nullable: true, resolve: (p) => p.markedCount ?? null }),
      unreadCount: t.int({ nullable: true, resolve: (p) => p.unreadCount ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const NotificationSettingsPayload = builder
  .objectRef<{ settings?: NotificationSettings; userErrors: UserErrorShape[] }>('NotificationSettingsPayload')
  .implement({
    fields: (t) => ({
      settings: t.field({
        type: NotificationSettingsRef,
        nullable: true,
        resolve: (p) => p.settings ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const NotificationPreferencesPayload = builder
  .objectRef<{ optedOut?: NotificationKind[]; userErrors: UserErrorShape[] }>(
    'NotificationPreferencesPayload',
  )
  .implement({
    fields: (t) => ({
      optedOut: t.field({ type: [NotificationKindEnum], nullable: true, resolve: (p) => p.optedOut ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

builder.mutationFields((t) => ({
  markNotificationsRead: t.field({
    type: MarkNotificationsReadPayload,
    description: 'Mark your notifications read: the given ids, or all.',
    args: { input: t.arg({ type: MarkNotificationsReadInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        const c = commandContext(ctx);
        const markedCount = await markNotificationsRead(c, {
          ids: input.ids?.map(String) ?? null,
          all: input.all ?? null,
        });
        return { markedCount, unreadCount: await countUnreadNotifications(c) };
      }),
  }),
  updateNotificationSettings: t.field({
    type: NotificationSettingsPayload,
    description: 'Change the organisation’s notification settings. Requires `organization:update`; audited.',
    args: { input: t.arg({ type: UpdateNotificationSettingsInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        settings: await updateNotificationSettings(commandContext(ctx), {
          ...(input.responsibleRecipients != null
            ? { responsibleRecipients: input.responsibleRecipients }
            : {}),
          ...(input.adminRecipients ? { adminRecipients: input.adminRecipients } : {}),
          ...(input.adminRecipientUserIds
            ? { adminRecipientUserIds: input.adminRecipientUserIds.map(String) }
            : {}),
          // The enum also lists invitation kinds; the command refuses them (VALIDATION_FAILED), so the casts
          // only narrow the type, not what is accepted.
          ...(input.byKind
            ? {
                byKind: input.byKind.map((e) => ({
                  kind: e.kind as AdminNoticeKind,
                  responsible: e.responsible ?? false,
                  roles: e.roles,
                  userIds: e.userIds.map(String),
                })),
              }
            : {}),
          ...(input.resetKinds ? { resetKinds: input.resetKinds as AdminNoticeKind[] } : {}),
          ...(input.invitationReminderHours != null
            ? { invitationReminderHours: input.invitationReminderHours }
            : {}),
          ...(input.brandColor != null ? { brandColor: input.brandColor } : {}),
        }),
      })),
  }),
  updateMyNotificationPreferences: t.field({
    type: NotificationPreferencesPayload,
    description: 'Opt out of (or back into) optional notices; mandatory kinds are refused.',
    args: { input: t.arg({ type: UpdateMyNotificationPreferencesInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        optedOut: await updateMyNotificationPreferences(commandContext(ctx), {
          optOut: input.optOut ?? null,
          optIn: input.optIn ?? null,
        }),
      })),
  }),
}));
