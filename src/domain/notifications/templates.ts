/**
 * The message catalogue, keyed by locale ('en' only for now; any other locale falls back to it). A
 * template returns plain strings; render-email.ts escapes all of them for HTML, so user-supplied text
 * (names, reasons, the invitation message) can never inject markup.
 */
import type { NotificationKind } from './notice-rules.js';
import type { Block, MessageContent } from './render-email.js';

export interface NoticeParams {
  audience: 'self' | 'admin';
  orgName: string;
  /** The affected user's display name (or email when the name is blank). */
  userName: string;
  /** Who did it: a display name, or "Roster (automatic)" for the system. */
  actorName: string;
  reason: string | null;
  /** Already formatted for the recipient. */
  until: string | null;
  fromRole?: string;
  toRole?: string;
  gained?: number;
  lost?: number;
  sessionCount?: number;
  // invitation
  inviterName?: string;
  roleName?: string;
  /** The department the invitee is placed in, when one was chosen. */
  departmentName?: string;
  message?: string | null;
  expires?: string;
  link?: string;
  // passwords
  /** Who asked for a reset link: the person, or an administrator (the actor). */
  requestedBy?: 'self' | 'administrator' | 'provisioned';
  /** How the password changed: by the person with their current one, or with an emailed link. */
  passwordChange?: 'changed' | 'reset';
  // MFA
  mfaChange?: MfaChange;
  /** For `factor_reset`: which factor, e.g. 'the passkey “YubiKey”'. */
  mfaFactor?: string;
  // passkeys
  passkeyChange?: 'added' | 'removed';
  passkeyName?: string;
}

/** What changed about a person's second factors (the `mfa_changed` notice). */
export type MfaChange =
  'totp_added' | 'totp_removed' | 'recovery_codes_regenerated' | 'factors_reset' | 'factor_reset';

const mfaChangeText: Record<MfaChange, (p: NoticeParams) => { subject: string; p: string }> = {
  totp_added: (p) => ({
    subject: `An authenticator app was added to your account in ${p.orgName}`,
    p: `An authenticator app was set up as a second factor for your account in ${p.orgName}. Signing in now asks for its code.`,
  }),
  totp_removed: (p) => ({
    subject: `The authenticator app was removed from your account in ${p.orgName}`,
    p: `The authenticator app was removed from your account in ${p.orgName}.`,
  }),
  recovery_codes_regenerated: (p) => ({
    subject: `New recovery codes for your account in ${p.orgName}`,
    p: `New recovery codes were made for your account in ${p.orgName}. The earlier ones no longer work.`,
  }),
  factors_reset: (p) => ({
    subject: `Your second factors in ${p.orgName} were reset`,
    p: `${p.actorName} reset the second factors (authenticator app, passkeys, recovery codes) of your account in ${p.orgName}. Every session of the account was signed out; set up a second factor again after signing in.`,
  }),
  factor_reset: (p) => ({
    subject: `One of your second factors in ${p.orgName} was reset`,
    p: `${p.actorName} removed ${p.mfaFactor ?? 'a second factor'} from your account in ${p.orgName}; your other factors still work. Every session of the account was signed out.`,
  }),
};

export const systemActorName = 'Roster (automatic)';

type Template = (p: NoticeParams) => MessageContent;

const who = (p: NoticeParams) => (p.audience === 'self' ? 'Your account' : `The account of ${p.userName}`);
const byAndWhy = (p: NoticeParams): Block[] => [
  { p: `Done by: ${p.actorName}` },
  ...(p.reason ? [{ p: `Reason: ${p.reason}` }] : []),
];

const inDepartment = (p: NoticeParams) => (p.departmentName ? ` in ${p.departmentName}` : '');

// MFA (security/mfa-totp)
const mfaChanged: Template = (p) => {
  const t = mfaChangeText[p.mfaChange ?? 'totp_added'](p);
  return {
    subject: t.subject,
    blocks: [
      { p: t.p },
      {
        p: `If this was not you, change your password at once and tell an administrator of ${p.orgName}.`,
      },
    ],
  };
};

const en: Record<NotificationKind, Template> = {
  mfa_changed: mfaChanged,
  invitation: (p) => ({
    subject: `${p.inviterName} invited you to ${p.orgName}`,
    blocks: [
      {
        p: `${p.inviterName} invited you to join ${p.orgName} on Roster as ${p.roleName}${inDepartment(p)}.`,
      },
      ...(p.message ? [{ p: `${p.inviterName} wrote:` }, { quote: p.message }] : []),
      { link: p.link!, label: 'Accept the invitation' },
      { p: `This invitation expires on ${p.expires}.` },
    ],
  }),
  // The token exists only in the original email (only its hash is stored), so a reminder cannot carry it.
  invitation_reminder: (p) => ({
    subject: `Reminder: your invitation to ${p.orgName} expires soon`,
    blocks: [
      {
        p: `${p.inviterName} invited you to join ${p.orgName} on Roster as ${p.roleName}${inDepartment(p)}.`,
      },
      { p: `The invitation expires on ${p.expires}.` },
      {
        p: `To accept, use the link in your invitation email, or ask ${p.inviterName} to resend it.`,
      },
    ],
  }),
  user_activated: (p) => ({
    subject: p.audience === 'self' ? `Welcome to ${p.orgName}` : `${p.userName} joined ${p.orgName}`,
    blocks: [
      {
        p:
          p.audience === 'self'
            ? `Your account in ${p.orgName} is now active.`
            : `${p.userName} accepted the invitation; the account is now active.`,
      },
      ...byAndWhy(p),
    ],
  }),
  user_suspended: (p) => ({
    subject:
      p.audience === 'self' ? `Your account in ${p.orgName} was suspended` : `${p.userName} was suspended`,
    blocks: [
      {
        p: `${who(p)} in ${p.orgName} was suspended${p.until ? ` until ${p.until}` : ' until further notice'}.`,
      },
      ...byAndWhy(p),
    ],
  }),
  user_reactivated: (p) => ({
    subject:
      p.audience === 'self'
        ? `Your account in ${p.orgName} is active again`
        : `${p.userName} was reactivated`,
    blocks: [{ p: `${who(p)} in ${p.orgName} was reactivated.` }, ...byAndWhy(p)],
  }),
  user_suspension_ended: (p) => ({
    subject:
      p.audience === 'self'
        ? `Your account in ${p.orgName} is active again`
        : `The suspension of ${p.userName} ended`,
    blocks: [{ p: `The suspension of ${who(p).toLowerCase()} in ${p.orgName} has ended.` }, ...byAndWhy(p)],
  }),
  user_deactivated: (p) => ({
    subject:
      p.audience === 'self'
        ? `Your account in ${p.orgName} was deactivated`
        : `${p.userName} was deactivated`,
    blocks: [{ p: `${who(p)} in ${p.orgName} was deactivated.` }, ...byAndWhy(p)],
  }),
  role_changed: (p) => ({
    subject:
      p.audience === 'self' ? `Your role in ${p.orgName} changed` : `The role of ${p.userName} changed`,
    blocks: [
      {
        p: `${p.audience === 'self' ? 'Your role' : `The role of ${p.userName}`} changed: ${p.fromRole} → ${p.toRole}.`,
      },
      { p: `Permissions gained: ${p.gained ?? 0}; permissions lost: ${p.lost ?? 0}.` },
      ...byAndWhy(p),
    ],
  }),
  sessions_revoked: (p) => ({
    subject: p.audience === 'self' ? `You were signed out of ${p.orgName}` : `${p.userName} was signed out`,
    blocks: [
      { p: `${who(p)} in ${p.orgName} was signed out of ${p.sessionCount ?? 1} session(s).` },
      ...byAndWhy(p),
    ],
  }),
  password_reset: (p) =>
    p.requestedBy === 'provisioned'
      ? {
          subject: `Your account in ${p.orgName} is ready`,
          blocks: [
            {
              p: `${p.orgName} created your account through its identity provider. Choose a password to sign in:`,
            },
            { link: p.link!, label: 'Choose a password' },
            {
              p: `The link works once, until ${p.expires}. After that, "Forgot password" on the sign-in page sends a new one.`,
            },
          ],
        }
      : {
          subject: `Reset your password for ${p.orgName}`,
          blocks: [
            {
              p:
                p.requestedBy === 'administrator'
                  ? `${p.actorName}, an administrator of ${p.orgName}, sent you a link to choose a new password for your account.`
                  : `Someone asked to reset the password of your account in ${p.orgName}. If it was you, choose a new password:`,
            },
            { link: p.link!, label: 'Choose a new password' },
            { p: `The link works once, until ${p.expires}. A newer link replaces it.` },
            {
              p: 'Did not ask for this? Ignore this email: your password stays as it is, and nobody can use the link without this email.',
            },
          ],
        },
  password_changed: (p) => ({
    subject: `Your password for ${p.orgName} was changed`,
    blocks: [
      {
        p:
          p.passwordChange === 'reset'
            ? `The password of your account in ${p.orgName} was reset with an emailed link. Every session of the account was signed out.`
            : `The password of your account in ${p.orgName} was changed.${
                p.sessionCount ? ` Your other sessions (${p.sessionCount}) were signed out.` : ''
              }`,
      },
      {
        p: `If this was not you, reset your password from the sign-in page at once and tell an administrator of ${p.orgName}.`,
      },
    ],
  }),
  passkey_changed: (p) => ({
    subject:
      p.passkeyChange === 'removed'
        ? `A passkey was removed from your account in ${p.orgName}`
        : `A passkey was added to your account in ${p.orgName}`,
    blocks: [
      {
        p:
          p.passkeyChange === 'removed'
            ? `The passkey “${p.passkeyName ?? ''}” was removed from your account in ${p.orgName}; it can no longer sign you in.`
            : `The passkey “${p.passkeyName ?? ''}” was added to your account in ${p.orgName}; it can now sign you in.`,
      },
      {
        p: `If this was not you, sign in, remove passkeys you do not recognise under My security, change your password and tell an administrator of ${p.orgName}.`,
      },
    ],
  }),
};

const catalogue: Record<string, Record<NotificationKind, Template>> = { en };

/** The template for a kind in the recipient's locale ("de-CH" tries "de-CH", then "de", then "en"). */
export function templateFor(kind: NotificationKind, locale: string | null): Template {
  const tags = locale ? [locale, locale.split('-')[0]!] : [];
  for (const t of tags) {
    const found = catalogue[t.toLowerCase()];
    if (found) return found[kind];
  }
  return en[kind];
}

/** The locale a message was written in, for dates: the recipient's when the catalogue has it, else 'en'. */
export function messageLocale(locale: string | null): string {
  const base = locale?.split('-')[0]?.toLowerCase();
  return base && catalogue[base] ? locale! : 'en';
}
