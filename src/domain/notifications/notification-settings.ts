import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { roleKeys, type RoleKey } from '../../authz/roles.js';
import type { TransactionScope } from '../../db/transaction.js';
import { withTransaction } from '../../db/transaction.js';
import { diffFields, recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import {
  adminNoticeKinds,
  adminOverridesOf,
  adminRecipientRolesOf,
  adminRecipientUserIdsOf,
  invitationReminderHoursOf,
  responsibleRecipientsOf,
  maxInvitationReminderHours,
  type AdminNoticeKind,
} from './notice-rules.js';
import { brandColorOf } from './render-email.js';

/** One admin kind whose recipients replace the defaults. */
export interface AdminNoticeRecipients {
  kind: AdminNoticeKind;
  /** The people responsible for the affected user (capped; notice-audience.ts) are told too. */
  responsible: boolean;
  roles: RoleKey[];
  userIds: string[];
}

export interface NotificationSettings {
  /**
   * By default (every admin kind without an override) the people responsible for the affected user hear:
   * the managers of their departments and of those departments' ancestors, and security officers (capped).
   */
  responsibleRecipients: boolean;
  /** Default roles for every admin kind without an override (none unless set; fanned out after commit). */
  adminRecipients: RoleKey[];
  /** Default people for every admin kind without an override. */
  adminRecipientUserIds: string[];
  byKind: AdminNoticeRecipients[];
  invitationReminderHours: number;
  brandColor: string;
}

export const maxAdminRecipientUserIds = 50;

/** The effective settings (defaults filled in) from an organisation's settings object. Pure. */
export function notificationSettingsOf(settings: Record<string, unknown>): NotificationSettings {
  return {
    responsibleRecipients: responsibleRecipientsOf(settings),
    adminRecipients: adminRecipientRolesOf(settings),
    adminRecipientUserIds: adminRecipientUserIdsOf(settings),
    byKind: adminOverridesOf(settings).map((o) => ({ kind: o.kind, ...o.audience })),
    invitationReminderHours: invitationReminderHoursOf(settings),
    brandColor: brandColorOf(settings),
  };
}

const roleList = z.array(z.enum(roleKeys as [RoleKey, ...RoleKey[]])).max(roleKeys.length);
const userIdList = z.array(z.string()).max(maxAdminRecipientUserIds);
const adminKind = z.enum(adminNoticeKinds);

export const updateNotificationSettingsInput = z
  .object({
    responsibleRecipients: z.boolean().optional(),
    adminRecipients: roleList.optional(),
    adminRecipientUserIds: userIdList.optional(),
    /** Upserts per kind; kinds not named keep their current override (or the defaults). */
    byKind: z
      .array(
        z
          .object({
            kind: adminKind,
            responsible: z.boolean().default(false),
            roles: roleList,
            userIds: userIdList,
          })
          .strict(),
      )
      .max(adminNoticeKinds.length)
      .optional(),
    /** Kinds whose override is removed, so they follow the defaults again. */
    resetKinds: z.array(adminKind).max(adminNoticeKinds.length).optional(),
    invitationReminderHours: z.number().int().min(0).max(maxInvitationReminderHours).optional(),
    brandColor: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, 'A colour as #rrggbb.')
      .optional(),
  })
  .strict();
type UpdateInput = z.output<typeof updateNotificationSettingsInput>;

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

/** Cross-field rules zod cannot see: a kind is set at most once and not both set and reset. */
function checkKinds(input: UpdateInput): void {
  const set = (input.byKind ?? []).map((e) => e.kind);
  const twice = set.find((k, i) => set.indexOf(k) !== i);
  if (twice)
    throw new DomainError('VALIDATION_FAILED', `byKind: ${twice} is given twice.`, { field: 'byKind' });
  const both = (input.resetKinds ?? []).find((k) => set.includes(k));
  if (both)
    throw new DomainError('VALIDATION_FAILED', `resetKinds: ${both} is also in byKind.`, {
      field: 'resetKinds',
    });
}

/** Every named person must be a user of this organisation (any status: inactive ones are skipped later). */
async function checkPeople(scope: TransactionScope, orgId: string, input: UpdateInput): Promise<void> {
  const lists = [
    { field: 'adminRecipientUserIds', ids: input.adminRecipientUserIds ?? [] },
    ...(input.byKind ?? []).map((e, i) => ({ field: `byKind.${i}.userIds`, ids: e.userIds })),
  ];
  const all = [...new Set(lists.flatMap((l) => l.ids).filter(isUuid))];
  const found =
    all.length === 0
      ? []
      : await scope.trx
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', orgId)
          .where('id', 'in', all)
          .execute();
  const known = new Set(found.map((u) => u.id.toLowerCase()));
  for (const l of lists) {
    // Another organisation's user is reported exactly like an id that does not exist.
    if (l.ids.some((id) => !isUuid(id) || !known.has(id.toLowerCase())))
      throw new DomainError('VALIDATION_FAILED', `${l.field}: not a user of this organisation.`, {
        field: l.field,
      });
  }
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const lower = (ids: readonly string[]) => unique(ids.map((id) => id.toLowerCase()));

/** Changes who gets admin notices (by default and per kind), the reminder lead time and the colour; audited. */
export async function updateNotificationSettings(
  ctx: CommandContext,
  raw: z.input<typeof updateNotificationSettingsInput>,
): Promise<NotificationSettings> {
  authorize(ctx.actor, 'organization:update');
  const input = parseInput(updateNotificationSettingsInput, raw);
  checkKinds(input);
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    const now = ctx.clock.now();
    const org = await scope.trx
      .selectFrom('organizations')
      .select('settings')
      .where('id', '=', orgId)
      .forNoKeyUpdate() // not FOR UPDATE: that would block every foreign-key check on the org
      .executeTakeFirst();
    if (!org) throw new DomainError('NOT_FOUND');
    await checkPeople(scope, orgId, input);
    const before = notificationSettingsOf(org.settings);
    const overrides = new Map(before.byKind.map((e) => [e.kind, e]));
    for (const kind of input.resetKinds ?? []) overrides.delete(kind);
    for (const e of input.byKind ?? [])
      overrides.set(e.kind, {
        kind: e.kind,
        responsible: e.responsible,
        roles: unique(e.roles),
        userIds: lower(e.userIds),
      });
    const after: NotificationSettings = {
      responsibleRecipients: input.responsibleRecipients ?? before.responsibleRecipients,
      adminRecipients: input.adminRecipients ? unique(input.adminRecipients) : before.adminRecipients,
      adminRecipientUserIds: input.adminRecipientUserIds
        ? lower(input.adminRecipientUserIds)
        : before.adminRecipientUserIds,
      byKind: adminNoticeKinds.flatMap((k) => overrides.get(k) ?? []),
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
      notifications: {
        ...notifications,
        responsibleRecipients: after.responsibleRecipients,
        adminRecipients: after.adminRecipients,
        adminRecipientUserIds: after.adminRecipientUserIds,
        byKind: Object.fromEntries(
          after.byKind.map(({ kind, responsible, roles, userIds }) => [
            kind,
            { responsible, roles, userIds },
          ]),
        ),
      },
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
