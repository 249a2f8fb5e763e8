/**
 * Every action the audit trail records, in one list: `recordAuditEvent` accepts only these (the type
 * below), the API lists them (`Query.auditActions`) for the console's filter, and a test checks that the
 * console has a readable name for each. A new action is added here first.
 */
export const auditActions = [
  'organization.created',
  'organization.updated',
  'organization.notification_settings_updated',
  'user.invited',
  /** Created active by an identity provider (SCIM), without an invitation. */
  'user.provisioned',
  'user.activated',
  'user.updated',
  'user.email_changed',
  'user.role_changed',
  'user.departments_changed',
  'user.suspended',
  'user.suspension_ended',
  'user.reactivated',
  'user.deactivated',
  'user.sessions_revoked',
  'user.sign_in_locked',
  'user.unlocked',
  'user.password_changed',
  'user.password_reset_requested',
  'user.password_reset_sent',
  'user.password_reset',
  // MFA (security/mfa-totp)
  'user.totp_enrolment_started',
  'user.totp_added',
  'user.totp_removed',
  'user.recovery_codes_generated',
  'user.recovery_code_used',
  'user.mfa_reset',
  'user.mfa_factor_reset',
  // passkeys
  'user.passkey_added',
  'user.passkey_renamed',
  'user.passkey_removed',
  'users.seeded',
  'departments.seeded',
  'invitation.accepted',
  'invitation.resent',
  'invitation.revoked',
  'invitation.expired',
  'session.signed_in',
  'session.sign_in_failed',
  'session.signed_out',
  'session.refresh_token_reused',
  // step-up and session policy (issue 12)
  'session.reauthenticated',
  'session.ended_by_limit',
  'department.created',
  'department.updated',
  'department.moved',
  'department.archived',
  'department.managers_changed',
  'outbox.retried',
  'audit.exported',
  // API credentials (issue 13)
  'scim_token.created',
  'scim_token.rotated',
  'scim_token.revoked',
  'personal_token.created',
  'personal_token.revoked',
  'report.cost_exported',
] as const;

export type AuditAction = (typeof auditActions)[number];
