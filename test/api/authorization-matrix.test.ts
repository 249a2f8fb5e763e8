import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Permission } from '../../src/authz/permissions.js';
import { canGrantRole, roleHas, roleKeys, type RoleKey } from '../../src/authz/roles.js';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { graphqlSchema } from '../../src/api/graphql/schema.js';
import { issueInvitation } from '../../src/domain/invitations/invitation-link.js';
import { enqueueEmails } from '../../src/domain/notifications/outbox.js';
import { defaultTestPassword, gql, signInAs } from '../support/auth.js';
import { actorFor, createOrg, createUser } from '../support/factories.js';
import { mayActOnRoles } from '../support/role-ranks.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * The authorization matrix (security.md): every GraphQL operation x every predefined role x a target in the
 * same organisation, in another organisation, and one that does not exist. An operation missing from this
 * table fails the test, so a new operation cannot ship without its row. Every operation that acts on a user
 * also runs x every target role (issue 10, point 7): a write is refused on a user whose role holds a
 * permission that ranks above the actor (test/support/role-ranks.ts), reads are not capped, and the
 * user's `viewerCan` flags answer the same.
 */

type TargetState = 'active' | 'suspended' | 'invited' | 'locked' | 'dead-email' | 'department' | 'scim-token';

interface Operation {
  /** The permission that gates it; 'signed-in' when any signed-in user may call it; 'anonymous' for credential exchanges. */
  gate: Permission | 'signed-in' | 'anonymous';
  /** Acts on a user given by id: then other-organisation and nonexistent targets are tried too. */
  target?: TargetState;
  document: string;
  variables?: (targetId: string) => Record<string, unknown>;
  /** For an operation on a user: whether it reads the user or changes them (then capped by rank). */
  onUser?: 'read' | 'write';
  /** The command's own refusal once authorized, for a target of this role (e.g. ROLE_NOT_GRANTABLE). */
  rule?: (actor: RoleKey, target: RoleKey) => string | null;
  /** The `User.viewerCan` flag that announces this operation. */
  flag?: keyof UserActionFlags;
  /**
   * For a signed-in operation whose input the matrix cannot make valid (a code from an app the matrix user
   * has not set up, a fresh WebAuthn response, an existing passkey): the answers that prove it was
   * authorized and ran (instead of 'ok').
   */
  allowedAnswers?: readonly string[];
  /** The one such answer, when there is one (default 'ok'). */
  answer?: string;
}

interface UserActionFlags {
  updateProfile: boolean;
  changeRole: boolean;
  suspend: boolean;
  reactivate: boolean;
  deactivate: boolean;
  revokeSessions: boolean;
  resendInvitation: boolean;
  revokeInvitation: boolean;
  sendPasswordReset: boolean;
}

/** A well-formed registration response answering a challenge nobody was given. */
const staleRegistrationResponse = {
  id: 'AAAA',
  rawId: 'AAAA',
  type: 'public-key',
  response: {
    clientDataJSON: Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'c3RhbGU' })).toString(
      'base64url',
    ),
    attestationObject: 'AAAA',
  },
  clientExtensionResults: {},
};

const userTargets: readonly TargetState[] = ['active', 'suspended', 'invited', 'locked'];

const operations: Record<string, Operation> = {
  // queries
  viewer: { gate: 'signed-in', document: '{ viewer { id } }' },
  // the MFA policy: what it asks of you (also answers an enrolment-only session)
  myMfaRequirement: { gate: 'signed-in', document: '{ myMfaRequirement { required } }' },
  organization: { gate: 'signed-in', document: '{ organization { id name } }' },
  roles: { gate: 'roles:read', document: '{ roles { key } }' },
  compareRoles: {
    gate: 'roles:read',
    document: '{ compareRoles(from: VIEWER, to: ANALYST) { gained { name } } }',
  },
  users: { gate: 'users:read', document: '{ users(first: 5) { nodes { id } } }' },
  user: {
    gate: 'users:read',
    target: 'active',
    onUser: 'read',
    document: 'query($id: ID!) { user(id: $id) { id } }',
    variables: (id) => ({ id }),
  },
  invitations: { gate: 'invitations:read', document: '{ invitations(first: 5) { edges { node { id } } } }' },
  auditEvents: { gate: 'audit:read', document: '{ auditEvents(first: 5) { edges { node { id } } } }' },
  auditChainStatus: { gate: 'audit:verify', document: '{ auditChainStatus { ok } }' },
  sessions: {
    gate: 'sessions:read',
    target: 'active',
    onUser: 'read',
    document: 'query($id: ID!) { sessions(userId: $id) { id } }',
    variables: (id) => ({ id }),
  },
  departments: { gate: 'departments:read', document: '{ departments { id parentId depth } }' },
  department: {
    gate: 'departments:read',
    target: 'department',
    document:
      'query($id: ID!) { department(id: $id) { id ancestors { id } children { id } descendants { id } managers { id } memberCount(includeSubtree: true) } }',
    variables: (id) => ({ id }),
  },
  effectivePermissions: {
    gate: 'users:read',
    target: 'active',
    onUser: 'read',
    document:
      'query($id: ID!) { effectivePermissions(userId: $id) { permission { name } scope { kind } sources { kind } } }',
    variables: (id) => ({ id }),
  },
  roleChangePreview: {
    gate: 'users:read',
    target: 'active',
    onUser: 'read',
    document:
      'query($id: ID!) { roleChangePreview(userId: $id, role: ANALYST) { viewerMayChange gained { permission { name } } } }',
    variables: (id) => ({ id }),
  },
  costReport: {
    gate: 'costs:read',
    document:
      '{ costReport { asOf totals { billable monthlyCost } departments { department { id } own { billable } } costCentres { costCentre } } }',
  },
  // mutations
  signIn: { gate: 'anonymous', document: '' },
  refreshSession: { gate: 'anonymous', document: '' },
  acceptInvitation: { gate: 'anonymous', document: '' },
  invitationPreview: { gate: 'anonymous', document: '' },
  passwordResetPreview: { gate: 'anonymous', document: '' },
  requestPasswordReset: { gate: 'anonymous', document: '' },
  completePasswordReset: { gate: 'anonymous', document: '' },
  // passkeys: your own (test/api/passkeys.test.ts runs them with a software authenticator)
  myPasskeys: { gate: 'signed-in', document: '{ myPasskeys { id name } }' },
  beginPasskeyRegistration: {
    gate: 'signed-in',
    document: 'mutation { beginPasskeyRegistration { options userErrors { code } } }',
  },
  finishPasskeyRegistration: {
    gate: 'signed-in',
    document: `mutation($r: JSON!) { finishPasskeyRegistration(input: { name: "Key", response: $r }) {
      userErrors { code } } }`,
    variables: () => ({ r: staleRegistrationResponse }),
    answer: 'PASSKEY_CHALLENGE_INVALID',
  },
  renamePasskey: {
    gate: 'signed-in',
    document: `mutation($id: ID!) { renamePasskey(input: { id: $id, name: "Key" }) { userErrors { code } } }`,
    variables: () => ({ id: randomUUID() }),
    answer: 'NOT_FOUND',
  },
  removePasskey: {
    gate: 'signed-in',
    document: `mutation($id: ID!) { removePasskey(input: { id: $id }) { userErrors { code } } }`,
    variables: () => ({ id: randomUUID() }),
    answer: 'NOT_FOUND',
  },
  beginPasskeySignIn: { gate: 'anonymous', document: '' },
  finishPasskeySignIn: { gate: 'anonymous', document: '' },
  // your own password: the matrix users sign in with the default test password and keep it
  changeMyPassword: {
    gate: 'signed-in',
    document: `mutation($p: String!) { changeMyPassword(input: { currentPassword: $p, newPassword: $p }) {
      userErrors { code } } }`,
    variables: () => ({ p: defaultTestPassword }),
  },
  sendPasswordReset: {
    gate: 'security:manage',
    target: 'active',
    onUser: 'write',
    flag: 'sendPasswordReset',
    document: 'mutation($id: ID!) { sendPasswordReset(input: { userId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  // MFA (security/mfa-totp): your own factors; the matrix users have none confirmed
  completeSignIn: { gate: 'anonymous', document: '' },
  beginSecondFactorPasskey: { gate: 'anonymous', document: '' },
  resetUserFactors: {
    gate: 'security:manage',
    target: 'active',
    onUser: 'write',
    document: 'mutation($id: ID!) { resetUserFactors(input: { userId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  // a person's factors for administrators; resetting one (the matrix users have none: the recovery codes)
  userFactors: {
    gate: 'security:manage',
    target: 'active',
    onUser: 'read',
    document: 'query($id: ID!) { userFactors(userId: $id) { kind } }',
    variables: (id) => ({ id }),
  },
  resetUserFactor: {
    gate: 'security:manage',
    target: 'active',
    onUser: 'write',
    document:
      'mutation($id: ID!) { resetUserFactor(input: { userId: $id, kind: RECOVERY_CODES }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  beginTotpEnrolment: {
    gate: 'signed-in',
    document: 'mutation { beginTotpEnrolment { otpauthUri userErrors { code } } }',
  },
  confirmTotpEnrolment: {
    gate: 'signed-in',
    document: `mutation { confirmTotpEnrolment(input: { code: "abcdef" }) { userErrors { code } } }`,
    allowedAnswers: ['MFA_CODE_INVALID', 'MFA_NOT_ENROLLED'],
  },
  removeTotpFactor: {
    gate: 'signed-in',
    document: `mutation { removeTotpFactor(input: { code: "abcdef" }) { userErrors { code } } }`,
    allowedAnswers: ['MFA_NOT_ENROLLED'],
  },
  regenerateRecoveryCodes: {
    gate: 'signed-in',
    document: 'mutation { regenerateRecoveryCodes { userErrors { code } } }',
    allowedAnswers: ['MFA_NOT_ENROLLED'],
  },
  // step-up: your own session, with the default test password the matrix users sign in with
  reauthenticate: {
    gate: 'signed-in',
    document: `mutation($p: String!) { reauthenticate(input: { password: $p }) { accessToken userErrors { code } } }`,
    variables: () => ({ p: defaultTestPassword }),
  },
  // step-up with a passkey: the matrix users have none, so the command answers that it is not available
  beginReauthenticationPasskey: {
    gate: 'signed-in',
    document: 'mutation { beginReauthenticationPasskey { options userErrors { code } } }',
    answer: 'MFA_METHOD_NOT_AVAILABLE',
  },
  signOut: { gate: 'signed-in', document: 'mutation { signOut { userErrors { code } } }' },
  signOutOtherSessions: {
    gate: 'signed-in',
    document: 'mutation { signOutOtherSessions { userErrors { code } } }',
  },
  inviteUsers: {
    gate: 'users:invite',
    document: `mutation($email: String!) { inviteUsers(input: { invitations: [{ email: $email, role: VIEWER }] }) {
      userErrors { code } } }`,
    variables: () => ({ email: `m-${randomUUID()}@example.test` }),
  },
  resendInvitation: {
    gate: 'invitations:resend',
    target: 'invited',
    onUser: 'write',
    flag: 'resendInvitation',
    // the new link grants the invitee's role again
    rule: (actor, target) => (canGrantRole(actor, target) ? null : 'ROLE_NOT_GRANTABLE'),
    document: 'mutation($id: ID!) { resendInvitation(input: { userId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  revokeInvitation: {
    gate: 'invitations:revoke',
    target: 'invited',
    onUser: 'write',
    flag: 'revokeInvitation',
    document: 'mutation($id: ID!) { revokeInvitation(input: { userId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  changeUserRole: {
    gate: 'users:change_role',
    target: 'active',
    onUser: 'write',
    flag: 'changeRole',
    rule: (actor, target) =>
      !canGrantRole(actor, target)
        ? 'ROLE_NOT_GRANTABLE'
        : target === 'user_manager'
          ? 'VALIDATION_FAILED'
          : null,
    document:
      'mutation($id: ID!) { changeUserRole(input: { userId: $id, role: USER_MANAGER }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  updateUserProfile: {
    gate: 'users:update',
    target: 'active',
    onUser: 'write',
    flag: 'updateProfile',
    document:
      'mutation($id: ID!) { updateUserProfile(input: { userId: $id, jobTitle: "Sergeant" }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  suspendUser: {
    gate: 'users:suspend',
    target: 'active',
    onUser: 'write',
    flag: 'suspend',
    document:
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: "matrix" }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  reactivateUser: {
    gate: 'users:reactivate',
    target: 'suspended',
    onUser: 'write',
    flag: 'reactivate',
    document: 'mutation($id: ID!) { reactivateUser(input: { userId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  deactivateUser: {
    gate: 'users:deactivate',
    target: 'active',
    onUser: 'write',
    flag: 'deactivate',
    document:
      'mutation($id: ID!) { deactivateUser(input: { userId: $id, reason: "matrix" }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  revokeUserSessions: {
    gate: 'users:revoke_sessions',
    target: 'active',
    onUser: 'write',
    flag: 'revokeSessions',
    document: 'mutation($id: ID!) { revokeUserSessions(input: { userId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  unlockUser: {
    gate: 'security:manage',
    target: 'locked',
    onUser: 'write',
    document: 'mutation($id: ID!) { unlockUser(input: { userId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  updateOrganizationSettings: {
    gate: 'organization:update',
    document:
      'mutation { updateOrganizationSettings(input: { invitationTtlDays: 10 }) { userErrors { code } } }',
  },
  // departments
  createDepartment: {
    gate: 'departments:manage',
    document: 'mutation { createDepartment(input: { name: "Matrix" }) { userErrors { code } } }',
  },
  updateDepartment: {
    gate: 'departments:manage',
    target: 'department',
    document:
      'mutation($id: ID!) { updateDepartment(input: { departmentId: $id, name: "Renamed" }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  moveDepartment: {
    gate: 'departments:manage',
    target: 'department',
    document:
      'mutation($id: ID!) { moveDepartment(input: { departmentId: $id, newParentId: null }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  archiveDepartment: {
    gate: 'departments:manage',
    target: 'department',
    document:
      'mutation($id: ID!) { archiveDepartment(input: { departmentId: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  setDepartmentManagers: {
    gate: 'departments:manage',
    target: 'department',
    document:
      'mutation($id: ID!) { setDepartmentManagers(input: { departmentId: $id, userIds: [] }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  setUserDepartments: {
    gate: 'users:update',
    target: 'active',
    onUser: 'write',
    document:
      'mutation($id: ID!) { setUserDepartments(input: { userId: $id, primaryDepartmentId: null }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  addDepartmentMembers: {
    gate: 'users:update',
    target: 'active',
    onUser: 'write',
    document:
      'mutation($id: ID!, $d: ID!) { addDepartmentMembers(input: { departmentId: $d, userIds: [$id] }) { addedUserIds failed { error { code } } userErrors { code } } }',
    variables: (id) => ({ id, d: matrixDepartmentId }),
  },
  // the outbox (operators) and the development mailbox (your own mail; all of it with security:manage)
  // the catalogue of audit actions (names only, for filters)
  auditActions: { gate: 'signed-in', document: '{ auditActions }' },
  outboxMessages: {
    gate: 'security:manage',
    document: '{ outboxMessages(first: 5) { edges { node { id } } } }',
  },
  devMailbox: { gate: 'signed-in', document: '{ devMailbox(first: 5) { id } }' },
  retryOutboxMessage: {
    gate: 'security:manage',
    target: 'dead-email',
    document: 'mutation($id: ID!) { retryOutboxMessage(input: { id: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  // notifications (your own: any signed-in user)
  notifications: { gate: 'signed-in', document: '{ notifications(first: 5) { edges { node { id } } } }' },
  unreadNotificationCount: { gate: 'signed-in', document: '{ unreadNotificationCount }' },
  myNotificationOptOuts: { gate: 'signed-in', document: '{ myNotificationOptOuts }' },
  mandatoryNotificationKinds: { gate: 'signed-in', document: '{ mandatoryNotificationKinds }' },
  notificationSettings: { gate: 'organization:read', document: '{ notificationSettings { brandColor } }' },
  markNotificationsRead: {
    gate: 'signed-in',
    document: 'mutation { markNotificationsRead(input: { all: true }) { userErrors { code } } }',
  },
  updateMyNotificationPreferences: {
    gate: 'signed-in',
    document:
      'mutation { updateMyNotificationPreferences(input: { optOut: [USER_ACTIVATED] }) { userErrors { code } } }',
  },
  // API credentials (issue 13): the organisation's SCIM tokens, your own personal tokens
  scimTokens: { gate: 'api_credentials:manage', document: '{ scimTokens { id } }' },
  createScimToken: {
    gate: 'api_credentials:manage',
    document:
      'mutation { createScimToken(input: { name: "Matrix", scopes: [USERS], maxRole: VIEWER }) { secret userErrors { code } } }',
  },
  rotateScimToken: {
    gate: 'api_credentials:manage',
    target: 'scim-token',
    document: 'mutation($id: ID!) { rotateScimToken(input: { id: $id }) { secret userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  revokeScimToken: {
    gate: 'api_credentials:manage',
    target: 'scim-token',
    document: 'mutation($id: ID!) { revokeScimToken(input: { id: $id }) { userErrors { code } } }',
    variables: (id) => ({ id }),
  },
  myPersonalApiTokens: { gate: 'signed-in', document: '{ myPersonalApiTokens { id } }' },
  createPersonalApiToken: {
    gate: 'api:access',
    document: 'mutation { createPersonalApiToken(input: { name: "Matrix" }) { secret userErrors { code } } }',
  },
  revokePersonalApiToken: {
    gate: 'signed-in',
    document: 'mutation($id: ID!) { revokePersonalApiToken(input: { id: $id }) { userErrors { code } } }',
    variables: () => ({ id: randomUUID() }),
    answer: 'NOT_FOUND',
  },
  updateNotificationSettings: {
    gate: 'organization:update',
    document:
      'mutation { updateNotificationSettings(input: { invitationReminderHours: 12 }) { userErrors { code } } }',
  },
};

/** 'ok', or the stable code of the first error (top-level or in userErrors); a null `user` is NOT_FOUND. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function outcome(field: string, body: any): string {
  const top = body.errors?.[0]?.extensions?.code;
  if (top) return top;
  const result = body.data?.[field];
  if (result === null && (field === 'user' || field === 'department')) return 'NOT_FOUND';
  const userError = result?.userErrors?.[0]?.code ?? result?.failed?.[0]?.error?.code;
  return userError ?? 'ok';
}

let rt: TestRuntime;
let app: RosterServer;
let orgId: string;
let otherOrgId: string;
/** A department of the matrix organisation that addDepartmentMembers adds its targets to. */
let matrixDepartmentId: string;
const tokens = new Map<RoleKey, string>();

async function makeTarget(
  org: string,
  state: TargetState,
  role: RoleKey = 'viewer',
): Promise<{ id: string }> {
  const s = rt.services;
  if (state === 'dead-email') return makeDeadEmail(org);
  if (state === 'department') return makeDepartment(org);
  if (state === 'scim-token') return makeScimToken(org);
  const user = await createUser(s, org, { role, status: state === 'locked' ? 'active' : state });
  // A live session, so an operation that wrongly reached the target would show in its revocation.
  await actorFor(s, user);
  if (state === 'locked') {
    const until = new Date(s.clock.now().getTime() + 3_600_000);
    await s.db
      .updateTable('users')
      .set({ failed_login_count: 7, locked_until: until })
      .where('id', '=', user.id)
      .execute();
  }
  if (state === 'suspended') {
    await s.db.updateTable('users').set({ status_reason: 'setup' }).where('id', '=', user.id).execute();
  }
  if (state === 'invited') {
    const now = s.clock.now();
    await s.db.transaction().execute((trx) =>
      issueInvitation(trx, {
        orgId: org,
        userId: user.id,
        role,
        message: null,
        invitedBy: null,
        expiresAt: new Date(now.getTime() + 86_400_000),
        now,
      }),
    );
  }
  return user;
}

/** What an operation could change on a target (a user, a department, or an outbox message). */
async function stateOf(id: string): Promise<unknown> {
  const db = rt.services.db;
  const user = await db
    .selectFrom('users')
    .select(['status', 'role', 'version', 'job_title', 'failed_login_count', 'locked_until'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (user) {
    const sessions = await db.selectFrom('sessions').select('revoked_at').where('user_id', '=', id).execute();
    const invitations = await db
      .selectFrom('invitations')
      .select('status')
      .where('user_id', '=', id)
      .execute();
    const resets = await db.selectFrom('password_resets').select('id').where('user_id', '=', id).execute();
    return { user, sessions, invitations, resets };
  }
  const department = await db
    .selectFrom('departments')
    .select(['name', 'path', 'parent_id', 'archived_at', 'version'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (department) {
    const managers = await db
      .selectFrom('department_managers')
      .select('user_id')
      .where('department_id', '=', id)
      .execute();
    return { department, managers };
  }
  const token = await db
    .selectFrom('scim_tokens')
    .select(['secret_hash', 'revoked_at', 'expires_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (token) return token;
  return db
    .selectFrom('outbox_messages')
    .select(['status', 'attempts'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A live root department with an archived child: archiving it is allowed, a move rewrites two rows. */
async function makeDepartment(org: string): Promise<{ id: string }> {
  const db = rt.services.db;
  const id = randomUUID();
  const childId = randomUUID();
  await db
    .insertInto('departments')
    .values([
      { id, org_id: org, name: 'Matrix', path: `${id}/`, depth: 0, parent_id: null },
      {
        id: childId,
        org_id: org,
        name: 'Child',
        path: `${id}/${childId}/`,
        depth: 1,
        parent_id: id,
        archived_at: new Date(),
      },
    ])
    .execute();
  return { id };
}

/** A live SCIM token (its hash is of nothing anyone holds: the matrix only rotates and revokes it). */
async function makeScimToken(org: string): Promise<{ id: string }> {
  const id = randomUUID();
  await rt.services.db
    .insertInto('scim_tokens')
    .values({
      id,
      org_id: org,
      name: 'Matrix',
      secret_hash: '0'.repeat(64),
      scopes: ['users'],
      max_role: 'viewer',
      expires_at: new Date(rt.services.clock.now().getTime() + 86_400_000),
    })
    .execute();
  return { id };
}

/** An outbox message that gave up, for the retry operation. */
async function makeDeadEmail(org: string): Promise<{ id: string }> {
  const db = rt.services.db;
  const [row] = await db.transaction().execute(async (trx) => {
    const ids = await enqueueEmails(trx, rt.config.publicUrl, [
      {
        orgId: org,
        dedupeKey: `matrix:${randomUUID()}`,
        kind: 'test',
        recipientUserId: null,
        recipientEmail: 'someone@example.test',
        subject: 'Hello',
        text: 'Hello',
        html: '<p>Hello</p>',
      },
    ]);
    await trx
      .updateTable('outbox_messages')
      .set({ status: 'dead', attempts: 8 })
      .where('id', 'in', ids)
      .execute();
    return ids;
  });
  return { id: row! };
}

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  orgId = (await createOrg(rt.services, 'Matrix Org')).id;
  otherOrgId = (await createOrg(rt.services, 'Other Org')).id;
  matrixDepartmentId = (await makeDepartment(orgId)).id;
  // A second owner keeps the organisation owned whatever the matrix does.
  await createUser(rt.services, orgId, { role: 'owner' });
  for (const role of roleKeys) {
    const user = await createUser(rt.services, orgId, { role });
    tokens.set(role, (await signInAs(rt, app, user)).accessToken);
  }
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('authorization matrix', () => {
  it('has a row for every query and mutation of the schema', () => {
    const schema = graphqlSchema();
    const fields = [
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()!.getFields()),
    ].sort();
    expect(fields).toEqual(Object.keys(operations).sort());
  });

  for (const [field, op] of Object.entries(operations)) {
    if (op.gate === 'anonymous') continue;

    it(`${field}: refused without a token`, async () => {
      const r = await gql(app, op.document, op.variables?.(randomUUID()));
      if (field === 'viewer') expect(r.body.data.viewer).toBeNull();
      else expect(outcome(field, r.body)).toBe('UNAUTHENTICATED');
    });

    for (const role of roleKeys) {
      const allowed = op.gate === 'signed-in' || roleHas(role, op.gate);
      it(`${field} as ${role}: ${allowed ? 'allowed' : 'FORBIDDEN'}`, async () => {
        // signOut ends the session it is called with: use a fresh one.
        const token =
          field === 'signOut'
            ? (await signInAs(rt, app, await createUser(rt.services, orgId, { role }))).accessToken
            : tokens.get(role)!;
        if (!op.target) {
          const r = await gql(app, op.document, op.variables?.(''), token);
          const answer = outcome(field, r.body);
          if (allowed && op.allowedAnswers) expect(op.allowedAnswers).toContain(answer);
          else expect(answer).toBe(allowed ? (op.answer ?? 'ok') : 'FORBIDDEN');
          return;
        }
        const same = await makeTarget(orgId, op.target);
        const other = await makeTarget(otherOrgId, op.target);
        const otherBefore = await stateOf(other.id);
        const inSame = await gql(app, op.document, op.variables!(same.id), token);
        const inOther = await gql(app, op.document, op.variables!(other.id), token);
        const missing = await gql(app, op.document, op.variables!(randomUUID()), token);
        expect(outcome(field, inSame.body)).toBe(allowed ? 'ok' : 'FORBIDDEN');
        expect(outcome(field, inOther.body)).toBe(allowed ? 'NOT_FOUND' : 'FORBIDDEN');
        // Another organisation's user is indistinguishable from one that does not exist.
        expect(inOther.status).toBe(missing.status);
        expect(inOther.body).toEqual(missing.body);
        // ... and nothing happened to it.
        expect(await stateOf(other.id)).toEqual(otherBefore);
      });
    }
  }
});

const viewerCanDocument = `query($id: ID!) { user(id: $id) { viewerCan {
  updateProfile changeRole suspend reactivate deactivate revokeSessions resendInvitation revokeInvitation
  sendPasswordReset } } }`;

/** What the matrix expects of an operation on a user of `target` role, by an actor of `actor` role. */
function expectedOn(op: Operation, actor: RoleKey, target: RoleKey): string {
  if (op.gate !== 'signed-in' && op.gate !== 'anonymous' && !roleHas(actor, op.gate)) return 'FORBIDDEN';
  if (op.onUser === 'write' && !mayActOnRoles[actor].includes(target)) return 'FORBIDDEN';
  return op.rule?.(actor, target) ?? 'ok';
}

describe('authorization matrix x target role', () => {
  it('knows, for every operation on a user, whether it reads or writes', () => {
    const onUsers = Object.entries(operations).filter(([, op]) => userTargets.includes(op.target!));
    expect(onUsers.filter(([, op]) => op.onUser === undefined).map(([f]) => f)).toEqual([]);
    expect(Object.values(operations).filter((op) => op.onUser && !userTargets.includes(op.target!))).toEqual(
      [],
    );
  });

  for (const [field, op] of Object.entries(operations)) {
    if (!op.onUser) continue;
    for (const actor of roleKeys) {
      const may = roleKeys.filter((t) => expectedOn(op, actor, t) === 'ok');
      it(`${field} as ${actor}: on ${may.length ? may.join(', ') : 'no role'}`, async () => {
        const token = tokens.get(actor)!;
        const seesUsers = roleHas(actor, 'users:read');
        for (const targetRole of roleKeys) {
          const target = await makeTarget(orgId, op.target!, targetRole);
          const expected = expectedOn(op, actor, targetRole);
          const before = await stateOf(target.id);
          if (op.flag && seesUsers) {
            // The console shows only what viewerCan allows: it must answer as the command will.
            const v = await gql(app, viewerCanDocument, { id: target.id }, token);
            const flag = (v.body.data?.user?.viewerCan as UserActionFlags | undefined)?.[op.flag];
            const announced = expected !== 'FORBIDDEN' && expected !== 'ROLE_NOT_GRANTABLE';
            expect({ targetRole, flag }).toEqual({ targetRole, flag: announced });
          }
          const r = await gql(app, op.document, op.variables!(target.id), token);
          expect({ targetRole, outcome: outcome(field, r.body) }).toEqual({ targetRole, outcome: expected });
          if (expected !== 'ok')
            expect({ targetRole, state: await stateOf(target.id) }).toEqual({ targetRole, state: before });
        }
      });
    }
  }
});
