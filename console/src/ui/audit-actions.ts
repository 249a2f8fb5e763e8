/**
 * The audit trail's actions in plain words. The server's list (`Query.auditActions`, from
 * src/domain/audit/audit-actions.ts) decides which actions exist; test/e2e/audit-action-names.test.ts
 * fails when one of them has no name here.
 */
export const auditActionNames: Readonly<Record<string, string>> = {
  'organization.created': 'Organisation created',
  'organization.updated': 'Organisation settings changed',
  'organization.notification_settings_updated': 'Notification settings changed',
  'user.invited': 'Invited',
  'user.provisioned': 'Provisioned (SCIM)',
  'user.activated': 'Account activated',
  'user.updated': 'Profile updated',
  'user.email_changed': 'Sign-in email changed',
  'user.role_changed': 'Role changed',
  'user.departments_changed': 'Departments changed',
  'user.suspended': 'Suspended',
  'user.suspension_ended': 'Suspension ended',
  'user.reactivated': 'Reactivated',
  'user.deactivated': 'Deactivated',
  'user.sessions_revoked': 'Signed out by an administrator',
  'user.sign_in_locked': 'Locked out after failed sign-ins',
  'user.unlocked': 'Unlocked',
  'user.password_changed': 'Password changed',
  'user.password_reset_requested': 'Password reset link requested',
  'user.password_reset_sent': 'Password reset link sent by an administrator',
  'user.password_reset': 'Password reset with an emailed link',
  // MFA (security/mfa-totp)
  'user.totp_enrolment_started': 'Authenticator app set-up started',
  'user.totp_added': 'Authenticator app added',
  'user.totp_removed': 'Authenticator app removed',
  'user.recovery_codes_generated': 'Recovery codes made',
  'user.recovery_code_used': 'Recovery code used',
  'user.mfa_reset': 'Second factors reset by an administrator',
  'user.mfa_factor_reset': 'A second factor reset by an administrator',
  // passkeys
  'user.passkey_added': 'Passkey added',
  'user.passkey_renamed': 'Passkey renamed',
  'user.passkey_removed': 'Passkey removed',
  'users.seeded': 'Sample users created',
  'departments.seeded': 'Sample departments created',
  'invitation.accepted': 'Invitation accepted',
  'invitation.resent': 'Invitation resent',
  'invitation.revoked': 'Invitation revoked',
  'invitation.expired': 'Invitation expired',
  'session.signed_in': 'Signed in',
  'session.sign_in_failed': 'Sign-in failed',
  'session.signed_out': 'Signed out',
  'session.refresh_token_reused': 'Stolen session token detected (session ended)',
  // step-up and session policy (issue 12)
  'session.reauthenticated': 'Identity confirmed again (re-authentication)',
  'session.ended_by_limit': 'Oldest sessions ended (session limit)',
  'department.created': 'Department created',
  'department.updated': 'Department renamed or changed',
  'department.moved': 'Department moved',
  'department.archived': 'Department archived',
  'department.managers_changed': 'Department managers changed',
  'outbox.retried': 'Email retried',
  'audit.exported': 'Audit log exported',
  // API credentials
  'scim_token.created': 'SCIM token created',
  'scim_token.rotated': 'SCIM token rotated',
  'scim_token.revoked': 'SCIM token revoked',
  'personal_token.created': 'Personal API token created',
  'personal_token.revoked': 'Personal API token revoked',
  'report.cost_exported': 'Cost report exported',
};

/** What the part before the dot is about, for grouping the actions in a filter. */
export const auditActionGroups: Readonly<Record<string, string>> = {
  organization: 'Organisation',
  user: 'Users',
  users: 'Users',
  departments: 'Departments',
  invitation: 'Invitations',
  session: 'Sessions',
  department: 'Departments',
  outbox: 'Email',
  audit: 'Audit and reports',
  report: 'Audit and reports',
  scim_token: 'API credentials',
  personal_token: 'API credentials',
};

/** 'user.role_changed' → 'Role changed'; an action without a name still reads as words. */
export function describeAction(action: string): string {
  const k = auditActionNames[action];
  if (k) return k;
  const text = action.replace(/[._]/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function groupOfAction(action: string): string {
  return auditActionGroups[action.split('.')[0] ?? ''] ?? 'Other';
}
