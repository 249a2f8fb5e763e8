import type { NoticeKind } from './settings-api';

/** Every notice kind in plain words; typed by the API's enum, so a new kind fails the build until named. */
export const noticeKindNames: Record<NoticeKind, string> = {
  INVITATION: 'Invitation',
  INVITATION_REMINDER: 'Invitation reminder',
  USER_ACTIVATED: 'Account activated',
  USER_SUSPENDED: 'Suspended',
  USER_REACTIVATED: 'Reactivated',
  USER_SUSPENSION_ENDED: 'Suspension ended',
  USER_DEACTIVATED: 'Deactivated',
  ROLE_CHANGED: 'Role changed',
  SESSIONS_REVOKED: 'Signed out by an administrator',
  PASSWORD_RESET: 'Password reset link',
  PASSWORD_CHANGED: 'Password changed',
  MFA_CHANGED: 'Second factor changed',
  PASSKEY_CHANGED: 'Passkey added or removed',
};

/**
 * The kinds administrators hear about (a user's lifecycle); invitations go to the invitee only. The API
 * refuses an audience for any other kind.
 */
export const adminNoticeKinds: readonly NoticeKind[] = [
  'USER_ACTIVATED',
  'USER_SUSPENDED',
  'USER_REACTIVATED',
  'USER_SUSPENSION_ENDED',
  'USER_DEACTIVATED',
  'ROLE_CHANGED',
  'SESSIONS_REVOKED',
];
