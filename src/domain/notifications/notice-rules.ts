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
] as const;
export type NotificationKind = (typeof notificationKinds)[number];

/**
 * Security notices: nobody can opt out of them. The invitation and its reminder go to someone who cannot
 * sign in yet (and so has no preferences), so they are mandatory as well.
 */
export const mandatoryKinds: ReadonlySet<NotificationKind> = new Set([
  'invitation',
  'invitation_reminder',
  'user_suspended',
  'user_deactivated',
  'role_changed',
  'sessions_revoked',
]);

/** Kinds about a user's lifecycle; administrators hear about these. Invitations go to the invitee only. */
const adminKinds: ReadonlySet<NotificationKind> = new Set([
  'user_activated',
  'user_suspended',
  'user_reactivated',
  'user_suspension_ended',
  'user_deactivated',
  'role_changed',
  'sessions_revoked',
]);

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

export const defaultAdminRecipientRoles: readonly RoleKey[] = ['owner', 'security_officer'];
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
  /** Active users holding one of the configured admin roles (status and role already checked). */
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

/** One cause never yields the same message to the same person twice, however often it is retried. */
export function dedupeKeyOf(cause: string, recipientUserId: string, kind: NotificationKind): string {
  return `${cause}:${recipientUserId}:${kind}`;
}
