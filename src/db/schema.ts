import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Kysely's view of the tables created by migrations/. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, string, string>;

export interface OrganizationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface UsersTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  email_normalized: string;
  display_name: Generated<string>;
  search_text: Generated<string>;
  job_title: string | null;
  phone: string | null;
  locale: string | null;
  time_zone: string | null;
  attributes: ColumnType<Record<string, unknown>, string | undefined, string>;
  role: string;
  /** 'group_mapping' when a SCIM group→role mapping gave the role, else 'manual'. */
  role_source: Generated<string>;
  status: string;
  status_reason: string | null;
  status_changed_at: ColumnType<Date, Date | string | undefined, Date | string>;
  suspended_until: Timestamp | null;
  password_hash: string | null;
  password_changed_at: Timestamp | null;
  failed_login_count: Generated<number>;
  locked_until: Timestamp | null;
  /** The latest counted sign-in failure: when the current lockout (if any) began. */
  last_failed_login_at: Timestamp | null;
  /** Sign-in attempts in flight: lease id -> expiry (epoch ms). See sign-in-throttle.ts. */
  sign_in_leases: Generated<Record<string, number>>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  activated_at: Timestamp | null;
  last_login_at: Timestamp | null;
  last_active_at: Timestamp | null;
  version: Generated<number>;
  /** Kept by replaceMemberships: the department of the user's primary membership. */
  primary_department_id: Generated<string | null>;
  /** Set with it: the instant of the last change of primary department (the seat ledger's time). */
  primary_department_changed_at: Timestamp | null;
  /** SCIM externalId: the provisioning client's id for the person; unique per organisation, caseExact. */
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  given_name: ColumnType<string | null, string | null | undefined, string | null>;
  family_name: ColumnType<string | null, string | null | undefined, string | null>;
  /** The SCIM enterprise extension (RFC 7643 §4.3), as the identity provider sends it. */
  employee_number: ColumnType<string | null, string | null | undefined, string | null>;
  cost_center: ColumnType<string | null, string | null | undefined, string | null>;
  organization_name: ColumnType<string | null, string | null | undefined, string | null>;
  division: ColumnType<string | null, string | null | undefined, string | null>;
  /** The enterprise "department" (free text), not one of Roster's departments. */
  hr_department: ColumnType<string | null, string | null | undefined, string | null>;
  manager_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface InvitationsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  token_hash: string;
  role: string;
  message: string | null;
  invited_by: string | null;
  status: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  ended_at: Timestamp | null;
}

export interface SessionsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  auth_method: Generated<string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  idle_expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
  /** RFC 8176 authentication method references of the session ('pwd', 'otp', 'hwk', 'swk', 'user'). */
  amr: Generated<string[]>;
  /** The assurance level reached (NIST SP 800-63B): 'aal1' | 'aal2' | 'aal3'. */
  acr: Generated<string>;
  /** When the person last proved who they are: the sign-in, or a later re-authentication. */
  auth_time: ColumnType<Date, Date | string | undefined, Date | string>;
  /** 'mfa_enrolment': the session may only enrol a second factor (mfa-policy.ts); null: unrestricted. */
  restriction: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  org_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  used_at: Timestamp | null;
}

export interface SignInThrottleTable {
  source: string;
  failures: Generated<number>;
  window_start: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_until: Timestamp | null;
  /** Attempts in flight from this source: lease id -> expiry (epoch ms). */
  leases: Generated<Record<string, number>>;
}

/** Password reset links: single use, 30 minutes, bound to user and organisation (password-reset-link.ts). */
export interface PasswordResetsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  token_hash: string;
  requested_by: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  ended_at: Timestamp | null;
}

export interface PasswordResetThrottleTable {
  key: string;
  window_start: Timestamp;
  requests: Generated<number>;
}

/** Passkeys: WebAuthn credentials of a user (domain/passkeys/). */
export interface PasskeysTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  /** base64url, unique across the installation. */
  credential_id: string;
  /** The COSE public key, base64url. */
  public_key: string;
  sign_count: ColumnType<number, number | undefined, number>;
  transports: ColumnType<string[], string[] | undefined, string[]>;
  device_type: string;
  backed_up: boolean;
  name: string;
  aaguid: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  last_used_at: Timestamp | null;
}

/** WebAuthn ceremonies in flight: hashed challenge, 5 minutes, single use (passkey-challenges.ts). */
export interface WebauthnChallengesTable {
  id: Generated<string>;
  challenge_hash: string;
  purpose: 'registration' | 'authentication' | 'second_factor' | 'reauthentication';
  org_id: string | null;
  user_id: string | null;
  session_id: string | null;
  ceremony_hash: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: Json;
  private_jwk_encrypted: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  retired_at: Timestamp | null;
}

export interface AuditEventsTable {
  org_id: string;
  seq: number;
  id: Generated<string>;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  changes: ColumnType<Record<string, unknown> | null, string | null, never>;
  reason: string | null;
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditChainHeadsTable {
  org_id: string;
  last_seq: number;
  last_hash: string;
}

export interface AuditLastCheckpointsTable {
  org_id: string;
  seq: number;
  hash: string;
  /** The compact JWS as written to the sinks. */
  checkpoint: string;
  signed_at: Date;
}

export interface OutboxMessagesTable {
  id: Generated<string>;
  org_id: string;
  dedupe_key: string;
  kind: string;
  recipient_user_id: string | null;
  recipient_email: string;
  subject: string;
  text_body: string;
  html_body: string;
  message_id: string;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  lease_until: Timestamp | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  sent_at: Timestamp | null;
}

export interface DevMailboxTable {
  id: Generated<string>;
  org_id: string;
  message_id: string;
  recipient: string;
  subject: string;
  text_body: string;
  html_body: string;
  received_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface NotificationsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  dedupe_key: string;
  kind: string;
  title: string;
  body: string;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  read_at: Timestamp | null;
}

export interface NoticesTable {
  id: Generated<string>;
  org_id: string;
  kind: string;
  cause: string;
  affected_user_id: string;
  actor_user_id: string | null;
  params: ColumnType<Record<string, unknown>, string, string>;
  audience: ColumnType<Record<string, unknown>, string, string>;
  cursor: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  status: Generated<string>;
  recipients: Generated<number>;
  batches: Generated<number>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  completed_at: Timestamp | null;
}

export interface NoticeDigestsTable {
  org_id: string;
  user_id: string;
  window_start: Timestamp;
  notices: Generated<number>;
  flushed_at: Timestamp | null;
}

export interface NotificationOptOutsTable {
  org_id: string;
  user_id: string;
  kind: string;
}

export interface DepartmentsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  code: string | null;
  description: string | null;
  parent_id: string | null;
  cost_centre: string | null;
  /** null: inherit from the parent. */
  monthly_cost_per_seat: ColumnType<number | null, number | string | null, number | string | null>;
  /** Ancestor ids and own id, each followed by '/'. */
  path: string;
  depth: number;
  archived_at: Timestamp | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  version: Generated<number>;
  /** Platform permissions added for members of the department and of its subtree. */
  added_permissions: Generated<string[]>;
  /** What its managers may do over its subtree; null: the default set. */
  manager_permissions: string[] | null;
  /** The identity provider's id for the department as a SCIM Group (caseExact). */
  external_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The role SCIM membership of the department grants (a group→role mapping); null: none. */
  scim_role: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface DepartmentManagersTable {
  org_id: string;
  department_id: string;
  user_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface UserDepartmentsTable {
  org_id: string;
  user_id: string;
  department_id: string;
  is_primary: boolean;
}

export interface UserDepartmentHistoryTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  department_id: string;
  is_primary: boolean;
  valid_from: Timestamp;
  valid_to: Timestamp | null;
}

/** Written by a trigger on users (migration 0400): one interval per status a user held. */
export interface UserStatusHistoryTable {
  org_id: string;
  user_id: string;
  status: string;
  valid_from: Timestamp;
  valid_to: Timestamp | null;
}

/** Seat events: +1/-1 per (primary department, seat status), written by a trigger on users. */
export interface SeatLedgerTable {
  org_id: string;
  department_id: string;
  status: string;
  at: Timestamp;
  seats: number;
}

/** The ledger's sums per (department, status) at an instant. */
export interface SeatCheckpointsTable {
  org_id: string;
  at: Timestamp;
  department_id: string;
  status: string;
  seats: number;
}

// --- MFA (issue 12, security/mfa-totp) ---
export interface MfaFactorsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  kind: string;
  name: string;
  /** AES-256-GCM sealed TOTP secret (domain/mfa/secret-seal.ts). */
  secret_sealed: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  confirmed_at: Timestamp | null;
  last_used_at: Timestamp | null;
  last_used_step: number | null;
}

export interface MfaRecoveryCodesTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  code_hash: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  used_at: Timestamp | null;
}

export interface MfaChallengesTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  token_hash: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
  attempts: Generated<number>;
  used_at: Timestamp | null;
}
// --- end MFA ---

/** SCIM bearer tokens of an organisation (domain/api-credentials/); only an HMAC of the secret. */
export interface ScimTokensTable {
  id: string;
  org_id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  max_role: string;
  created_by: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
  rotated_at: Timestamp | null;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  last_used_ip: string | null;
}

/** Personal API tokens of a user holding api:access (domain/api-credentials/). */
export interface PersonalApiTokensTable {
  id: string;
  org_id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  permissions: string[] | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  last_used_ip: string | null;
}

export interface DB {
  scim_tokens: ScimTokensTable;
  personal_api_tokens: PersonalApiTokensTable;
  organizations: OrganizationsTable;
  users: UsersTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  sign_in_throttle: SignInThrottleTable;
  password_resets: PasswordResetsTable;
  password_reset_throttle: PasswordResetThrottleTable;
  mfa_factors: MfaFactorsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  audit_chain_heads: AuditChainHeadsTable;
  audit_last_checkpoints: AuditLastCheckpointsTable;
  outbox_messages: OutboxMessagesTable;
  dev_mailbox: DevMailboxTable;
  notifications: NotificationsTable;
  notification_opt_outs: NotificationOptOutsTable;
  notices: NoticesTable;
  notice_digests: NoticeDigestsTable;
  departments: DepartmentsTable;
  department_managers: DepartmentManagersTable;
  user_departments: UserDepartmentsTable;
  user_department_history: UserDepartmentHistoryTable;
  user_status_history: UserStatusHistoryTable;
  seat_ledger: SeatLedgerTable;
  seat_checkpoints: SeatCheckpointsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type SessionRow = Selectable<SessionsTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type DepartmentRow = Selectable<DepartmentsTable>;
export type PasskeyRow = Selectable<PasskeysTable>;
