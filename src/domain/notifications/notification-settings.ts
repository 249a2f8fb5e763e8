import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { roleKeys, type RoleKey } from '../../authz/roles.js';
import { withTransaction } from '../../db/transaction.js';
import { diffFields, recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import {
  adminRecipientRolesOf,
  invitationReminderHoursOf,
  maxInvitationReminderHours,
} from './notice-rules.js';
import { brandColorOf } from './render-email.js';

export interface NotificationSettings {
  adminRecipients: RoleKey[];
  invitationReminderHours: number;
  brandColor: string;
}

/** The effective settings (defaults filled in) from an organisation's settings object. Pure. */
export function notificationSettingsOf(settings: Record<string, unknown>): NotificationSettings {
  return {
    adminRecipients: adminRecipientRolesOf(settings),
    invitationReminderHours: invitationReminderHoursOf(settings),
    brandColor: brandColorOf(settings),
  };
}

export const updateNotificationSettingsInput = z
  .object({
    adminRecipients: z
      .array(z.enum(roleKeys as [RoleKey, ...RoleKey[]]))
      .max(roleKeys.length)
      .optional(),
    invitationReminderHours: z.number().int().min(0).max(maxInvitationReminderHours).optional(),
    brandColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'A colour as #rrggbb.')
      .optional(),
  })
  .strict();

async function loadSettings(ctx: CommandContext): Promise<Record<string, unknown>> {
  const org = await ctx.db
    .selectFrom('organizations')
    .select('settings')
    .where('id', '=', ctx.actor.orgId)
    .executeTakeFirst();
  if (!org) throw new DomainError('NOT_FOUND');
  return org.settings;
}

export async function getNotificationSettings(ctx: CommandContext): Promise<NotificationSettings> {
  authorize(ctx.actor, 'organization:read');
  return notificationSettingsOf(await loadSettings(ctx));
}

/** Changes who gets admin notices, the reminder lead time and the brand colour; audited. */
export async function updateNotificationSettings(
  ctx: CommandContext,
  raw: z.input<typeof updateNotificationSettingsInput>,
): Promise<NotificationSettings> {
  authorize(ctx.actor, 'organization:update');
  const input = parseInput(updateNotificationSettingsInput, raw);
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    const now = ctx.clock.now();
    const org = await scope.trx
      .selectFrom('organizations')
      .select('settings')
      .where('id', '=', orgId)
      .forUpdate()
      .executeTakeFirst();
    if (!org) throw new DomainError('NOT_FOUND');
    const before = notificationSettingsOf(org.settings);
    const after: NotificationSettings = {
      adminRecipients: input.adminRecipients ? [...new Set(input.adminRecipients)] : before.adminRecipients,
      invitationReminderHours: input.invitationReminderHours ?? before.invitationReminderHours,
      brandColor: input.brandColor?.toLowerCase() ?? before.brandColor,
    };
    const changes = diffFields({ ...before }, { ...after });
    if (Object.keys(changes).length === 0) return before;
    const previous = org.settings.notifications;
    const notifications =
      previous && typeof previous === 'object' && !Array.isArray(previous) ? previous : {};
    const settings = {
      ...org.settings,
      notifications: { ...notifications, adminRecipients: after.adminRecipients },
      invitationReminderHours: after.invitationReminderHours,
      brandColor: after.brandColor,
    };
    await scope.trx
      .updateTable('organizations')
      .set({ settings: JSON.stringify(settings), updated_at: now })
      .where('id', '=', orgId)
      .execute();
    await recordAuditEvent(
      scope.trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'organization.notification_settings_updated',
        targetType: 'organization',
        targetId: orgId,
        changes,
      },
    );
    return after;
  });
}
