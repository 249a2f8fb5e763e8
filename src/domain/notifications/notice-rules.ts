/** Which notices exist, which are mandatory, and who receives them. Pure. */
import { isRoleKey, type RoleKey } from '../../authz/roles.js';

export const notificationKinds = [
  'invitation',
  'invitation_reminder',
  'user_activated',
  'user_suspended',
  'user_reactivated',
  'user_suspension_ended',
  'user_deactivated',
  'role_changed',
  'sessions_revoked',
  'password_reset',
  'password_changed',
  // MFA (security/mfa-totp): an authenticator added or removed, recovery codes regenerated, factors reset.
  'mfa_changed',
  'passkey_changed',
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/**
 * Security notices: nobody can opt out of them. The invitation and its reminder go to someone who cannot
 * sign in yet (and so has no preferences), so they are mandatory as well; so is a password reset link (it
 * is what the person asked for) and the notice that a password was changed.
 */
export const mandatoryKinds: ReadonlySet<NotificationKind> = new Set([
  'invitation',
  'invitation_reminder',
  'user_suspended',
  'user_deactivated',
  'role_changed',
  'sessions_revoked',
  'password_reset',
  'password_changed',
  'mfa_changed',
  'passkey_changed',
]);

/** Kinds about a user's lifecycle; administrators hear about these. Invitations go to the invitee only. */
export const adminNoticeKinds = [
  'user_activated',
  'user_suspended',
  'user_reactivated',
  'user_suspension_ended',
  'user_deactivated',
  'role_changed',
  'sessions_revoked',
] as const satisfies readonly NotificationKind[];
export type AdminNoticeKind = (typeof adminNoticeKinds)[number];
const adminKinds: ReadonlySet<NotificationKind> = new Set(adminNoticeKinds);

export function isAdminNoticeKind(kind: NotificationKind): kind is AdminNoticeKind {
  return adminKinds.has(kind);
}

export function isNotificationKind(v: string): v is NotificationKind {
  return (notificationKinds as readonly string[]).includes(v);
}

/** The lifecycle audit action's notice kind. */
export type LifecycleKind =
  'user_activated' | 'user_suspended' | 'user_reactivated' | 'user_suspension_ended' | 'user_deactivated';

export function kindOfLifecycleAction(action: string): LifecycleKind | null {
  const map: Record<string, LifecycleKind> = {
    'user.activated': 'user_activated',
    'user.suspended': 'user_suspended',
    'user.reactivated': 'user_reactivated',
    'user.suspension_ended': 'user_suspension_ended',
    'user.deactivated': 'user_deactivated',
  };
  return map[action] ?? null;
}

/**
 * No role is told by default: in a large organisation a role can have tens of thousands of holders. The
 * default audience is the people responsible for the affected user instead (`responsible`, see
 * notice-audience.ts). A role named in the settings is still honoured, fanned out after commit in batches.
 */
export const defaultAdminRecipientRoles: readonly RoleKey[] = [];
export const defaultInvitationReminderHours = 24;
export const maxInvitationReminderHours = 24 * 90;

function notificationSettingsOf(settings: Record<string, unknown>): Record<string, unknown> {
  const n = settings.notifications;
  return n && typeof n === 'object' && !Array.isArray(n) ? (n as Record<string, unknown>) : {};
}

/** The role keys whose active holders receive admin notices; the default when absent or malformed. */
export function adminRecipientRolesOf(settings: Record<string, unknown>): RoleKey[] {
  const v = notificationSettingsOf(settings).adminRecipients;
  if (!Array.isArray(v)) return [...defaultAdminRecipientRoles];
  return [...new Set(v.filter((r): r is RoleKey => typeof r === 'string' && isRoleKey(r)))];
}

/** Specific people who receive admin notices besides the role holders; none when absent or malformed. */
export function adminRecipientUserIdsOf(settings: Record<string, unknown>): string[] {
  return stringsOf(notificationSettingsOf(settings).adminRecipientUserIds);
}

/** Whether the default audience includes the people responsible for the user; yes unless turned off. */
export function responsibleRecipientsOf(settings: Record<string, unknown>): boolean {
  return notificationSettingsOf(settings).responsibleRecipients !== false;
}

/**
 * Who is told about one admin kind: the people responsible for the affected user (capped), active holders
 * of these roles, plus these people (if active).
 */
export interface AdminAudience {
  responsible: boolean;
  roles: RoleKey[];
  userIds: string[];
}

function stringsOf(v: unknown): string[] {
  return Array.isArray(v) ? [...new Set(v.filter((x): x is string => typeof x === 'string'))] : [];
}

/**
 * The per-kind overrides, in kind order. An entry replaces the defaults for its kind entirely, so an entry
 * with no roles and no people silences that kind; entries for unknown or non-admin kinds are ignored.
 */
export function adminOverridesOf(
  settings: Record<string, unknown>,
): { kind: AdminNoticeKind; audience: AdminAudience }[] {
  const byKind = notificationSettingsOf(settings).byKind;
  if (!byKind || typeof byKind !== 'object' || Array.isArray(byKind)) return [];
  const entries = byKind as Record<string, unknown>;
  return adminNoticeKinds.flatMap((kind) => {
    const e = entries[kind];
    if (!e || typeof e !== 'object' || Array.isArray(e)) return [];
    const { roles, userIds, responsible } = e as Record<string, unknown>;
    // Overrides written before `responsible` existed named roles and people only: they keep that meaning.
    return [
      {
        kind,
        audience: {
          responsible: responsible === true,
          roles: stringsOf(roles).filter(isRoleKey),
          userIds: stringsOf(userIds),
        },
      },
    ];
  });
}

/** The roles and people told about `kind`: its override if there is one, else the defaults. Pure. */
export function adminAudienceFor(settings: Record<string, unknown>, kind: NotificationKind): AdminAudience {
  if (!adminKinds.has(kind)) return { responsible: false, roles: [], userIds: [] };
  const override = adminOverridesOf(settings).find((o) => o.kind === kind);
  return override
    ? override.audience
    : {
        responsible: responsibleRecipientsOf(settings),
        roles: adminRecipientRolesOf(settings),
        userIds: adminRecipientUserIdsOf(settings),
      };
}

/** Hours before expiry when the reminder goes out; 0 disables reminders. */
export function invitationReminderHoursOf(settings: Record<string, unknown>): number {
  const v = settings.invitationReminderHours;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= maxInvitationReminderHours) return v;
  return defaultInvitationReminderHours;
}

export interface Recipient {
  userId: string;
  /** 'self': the affected user; 'admin': an administrator told about someone else. */
  audience: 'self' | 'admin';
  email: boolean;
  inApp: boolean;
}

export interface RecipientFacts {
  kind: NotificationKind;
  affectedUserId: string;
  /** The acting user, or null for the system. */
  actorUserId: string | null;
  /** Active users of the organisation in the kind's admin audience (status, role and org already checked). */
  adminUserIds: readonly string[];
  /** Users (of those above) who opted out of this kind. */
  optedOut: ReadonlySet<string>;
}

/**
 * The affected user gets the email (even when just deactivated: that notice is mandatory); administrators
 * get an email and an in-app notification, never the actor nor the affected user twice. Opt-outs only
 * count for optional kinds. Signing yourself out does not notify anyone.
 */
export function recipientsFor(f: RecipientFacts): Recipient[] {
  if (f.kind === 'sessions_revoked' && f.actorUserId === f.affectedUserId) return [];
  const wanted = (userId: string) => mandatoryKinds.has(f.kind) || !f.optedOut.has(userId);
  const out: Recipient[] = [];
  if (wanted(f.affectedUserId))
    out.push({ userId: f.affectedUserId, audience: 'self', email: true, inApp: false });
  if (!adminKinds.has(f.kind)) return out;
  for (const id of new Set(f.adminUserIds)) {
    if (id === f.actorUserId || id === f.affectedUserId || !wanted(id)) continue;
    out.push({ userId: id, audience: 'admin', email: true, inApp: true });
  }
  return out;
}

/** Whether administrators hear about this at all (their notice row is written); signing yourself out: no. */
export function tellsAdmins(
  kind: NotificationKind,
  affectedUserId: string,
  actorUserId: string | null,
): boolean {
  if (!adminKinds.has(kind)) return false;
  return !(kind === 'sessions_revoked' && actorUserId === affectedUserId);
}

/** One cause never yields the same message to the same person twice, however often it is retried. */
export function dedupeKeyOf(cause: string, recipientUserId: string, kind: NotificationKind): string {
  return `${cause}:${recipientUserId}:${kind}`;
}
