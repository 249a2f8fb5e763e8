import { URI, type TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { graphqlSchema } from '../../src/api/graphql/schema.js';
import { verifyAuditChain } from '../../src/domain/audit/verify-audit-chain.js';
import { defaultTestPassword, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * Every mutation writes exactly the expected audit events — no more, no fewer — with the acting user and
 * the target, and a refused mutation writes none. A mutation missing from `expectedEvents` fails the test.
 */
const expectedEvents: Record<string, string[]> = {
  signIn: ['session.signed_in'],
  refreshSession: [], // rotation is not an administrative act; reuse is audited (session.refresh_token_reused)
  acceptInvitation: ['user.activated', 'invitation.accepted', 'session.signed_in'],
  signOut: ['session.signed_out'],
  signOutOtherSessions: ['user.sessions_revoked'],
  inviteUsers: ['user.invited', 'user.invited'],
  resendInvitation: ['invitation.resent'],
  revokeInvitation: ['invitation.revoked'],
  changeUserRole: ['user.role_changed'],
  updateUserProfile: ['user.updated'],
  suspendUser: ['user.suspended'],
  reactivateUser: ['user.reactivated'],
  deactivateUser: ['user.deactivated'],
  revokeUserSessions: ['user.sessions_revoked'],
  updateOrganizationSettings: ['organization.updated'],
  unlockUser: ['user.unlocked'],
  changeMyPassword: ['user.password_changed'],
  reauthenticate: ['session.reauthenticated'],
  // starting a step-up or second-step ceremony changes nothing (a challenge row, used once)
  beginReauthenticationPasskey: [],
  beginSecondFactorPasskey: [],
  sendPasswordReset: ['user.password_reset_sent'],
  requestPasswordReset: ['user.password_reset_requested'],
  completePasswordReset: ['user.password_reset'],
  updateNotificationSettings: ['organization.notification_settings_updated'],
  retryOutboxMessage: ['outbox.retried'],
  createDepartment: ['department.created'],
  updateDepartment: ['department.updated'],
  moveDepartment: ['department.moved'],
  archiveDepartment: ['department.archived'],
  setDepartmentManagers: ['department.managers_changed'],
  setUserDepartments: ['user.departments_changed'],
  addDepartmentMembers: ['user.departments_changed'],
  // passkeys: starting a ceremony changes nothing (a challenge row, used once); every change is audited
  beginPasskeyRegistration: [],
  finishPasskeyRegistration: ['user.passkey_added'],
  renamePasskey: ['user.passkey_renamed'],
  removePasskey: ['user.passkey_removed'],
  beginPasskeySignIn: [],
  finishPasskeySignIn: ['session.signed_in'],
  // personal, not administrative: reading your notifications and choosing your own notices
  markNotificationsRead: [],
  updateMyNotificationPreferences: [],
  // MFA (security/mfa-totp)
  beginTotpEnrolment: ['user.totp_enrolment_started'],
  confirmTotpEnrolment: ['user.totp_added', 'user.recovery_codes_generated'],
  completeSignIn: ['session.signed_in'],
  regenerateRecoveryCodes: ['user.recovery_codes_generated'],
  removeTotpFactor: ['user.totp_removed'],
  resetUserFactors: ['user.mfa_reset'],
  resetUserFactor: ['user.mfa_factor_reset'],
  // API credentials (issue 13)
  createScimToken: ['scim_token.created'],
  rotateScimToken: ['scim_token.rotated'],
  revokeScimToken: ['scim_token.revoked'],
  createPersonalApiToken: ['personal_token.created'],
  revokePersonalApiToken: ['personal_token.revoked'],
};

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

async function eventsSince(orgId: string, seq: number) {
  return rt.services.db
    .selectFrom('audit_events')
    .select(['seq', 'action', 'actor_id', 'actor_type', 'target_id', 'request_id'])
    .where('org_id', '=', orgId)
    .where('seq', '>', seq)
    .orderBy('seq')
    .execute();
}

async function lastSeq(orgId: string): Promise<number> {
  const r = await rt.services.db
    .selectFrom('audit_chain_heads')
    .select('last_seq')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return r?.last_seq ?? 0;
}

describe('audit events per mutation', () => {
  it('covers every mutation of the schema', () => {
    const mutations = Object.keys(graphqlSchema().getMutationType()!.getFields()).sort();
    expect(mutations).toEqual(Object.keys(expectedEvents).sort());
  });

  it('writes exactly the expected events for each mutation, none for refused ones', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const { accessToken: token } = await signInAs(rt, app, owner);
    const seen = new Set<string>();

    /** Runs a mutation and checks the events it appended. */
    async function expectAudit(
      name: string,
      query: string,
      variables: Record<string, unknown>,
      opts: { token?: string | undefined; actor?: string | null; target?: string | null } = {},
    ) {
      const before = await lastSeq(org.id);
      const r = await gql(app, query, variables, 'token' in opts ? opts.token : token);
      expect(r.body.errors, JSON.stringify(r.body)).toBeUndefined();
      expect(r.body.data[name].userErrors ?? [], JSON.stringify(r.body)).toEqual([]);
      const events = await eventsSince(org.id, before);
      expect(events.map((e) => e.action)).toEqual(expectedEvents[name]);
      for (const e of events) {
        if (opts.actor !== undefined) expect(e.actor_id).toBe(opts.actor);
        if (opts.target !== undefined) expect(e.target_id).toBe(opts.target);
        expect(e.request_id).toBeTruthy();
      }
      seen.add(name);
      return r.body.data[name];
    }

    // signIn (owner signing in a second time)
    await expectAudit(
      'signIn',
      'mutation($i: SignInInput!) { signIn(input: $i) { accessToken refreshToken userErrors { code } } }',
      { i: { email: owner.email, password: defaultTestPassword, organization: org.slug } },
      { token: undefined, actor: owner.id, target: owner.id },
    );

    // API credentials, while the owner's sign-in is recent (issuing one is a stepped-up act)
    const scim = await expectAudit(
      'createScimToken',
      'mutation { createScimToken(input: { name: "IdP", scopes: [USERS], maxRole: VIEWER }) { token { id } secret userErrors { code } } }',
      {},
      { actor: owner.id },
    );
    await expectAudit(
      'rotateScimToken',
      'mutation($id: ID!) { rotateScimToken(input: { id: $id }) { secret userErrors { code } } }',
      { id: scim.token.id },
      { actor: owner.id, target: scim.token.id },
    );
    await expectAudit(
      'revokeScimToken',
      'mutation($id: ID!) { revokeScimToken(input: { id: $id }) { userErrors { code } } }',
      { id: scim.token.id },
      { actor: owner.id, target: scim.token.id },
    );
    const pat = await expectAudit(
      'createPersonalApiToken',
      'mutation { createPersonalApiToken(input: { name: "Script" }) { token { id } secret userErrors { code } } }',
      {},
      { actor: owner.id, target: owner.id },
    );
    await expectAudit(
      'revokePersonalApiToken',
      'mutation($id: ID!) { revokePersonalApiToken(input: { id: $id }) { userErrors { code } } }',
      { id: pat.token.id },
      { actor: owner.id, target: owner.id },
    );

    // inviteUsers: two entries, two events
    const invited = await expectAudit(
      'inviteUsers',
      `mutation($i: InviteUsersInput!) { inviteUsers(input: $i) {
         invitations { user { id } acceptLink } userErrors { code } } }`,
      {
        i: {
          invitations: [
            { email: 'ada@example.test', role: 'ANALYST' },
            { email: 'bob@example.test', role: 'VIEWER', message: 'Welcome' },
          ],
        },
      },
      { actor: owner.id },
    );
    const ada = invited.invitations[0].user.id as string;
    const bob = invited.invitations[1].user.id as string;

    const resent = await expectAudit(
      'resendInvitation',
      'mutation($id: ID!) { resendInvitation(input: { userId: $id, message: "Again" }) { invitation { acceptLink } userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );
    await expectAudit(
      'revokeInvitation',
      'mutation($id: ID!) { revokeInvitation(input: { userId: $id }) { userErrors { code } } }',
      { id: bob },
      { actor: owner.id, target: bob },
    );

    const inviteToken = new URL(resent.invitation.acceptLink as string).hash.replace('#token=', '');
    const beforeAccept = await lastSeq(org.id);
    await expectAudit(
      'acceptInvitation',
      `mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { user { id } userErrors { code } } }`,
      {
        i: {
          token: decodeURIComponent(inviteToken),
          password: 'a long enough passphrase 7',
          displayName: 'Ada L',
        },
      },
      { token: undefined, target: ada },
    );
    // Accepting runs as the system actor `invitation` (no session yet); the session it opens is the user's.
    expect((await eventsSince(org.id, beforeAccept)).map((e) => [e.action, e.actor_id])).toEqual([
      ['user.activated', null],
      ['invitation.accepted', null],
      ['session.signed_in', ada],
    ]);

    await expectAudit(
      'changeUserRole',
      'mutation($id: ID!) { changeUserRole(input: { userId: $id, role: INVESTIGATOR }) { userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );
    await expectAudit(
      'updateUserProfile',
      'mutation($id: ID!) { updateUserProfile(input: { userId: $id, jobTitle: "DS" }) { userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );

    // A refused mutation writes nothing.
    const before = await lastSeq(org.id);
    const refused = await gql(
      app,
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: " " }) { userErrors { code } } }',
      { id: ada },
      token,
    );
    expect(refused.body.data.suspendUser.userErrors[0].code).toBe('VALIDATION_FAILED');
    expect(await eventsSince(org.id, before)).toEqual([]);

    await expectAudit(
      'suspendUser',
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: "Inquiry" }) { userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );
    await expectAudit(
      'reactivateUser',
      'mutation($id: ID!) { reactivateUser(input: { userId: $id }) { userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );

    // Ada signs in twice; the owner revokes her sessions; she signs in again and signs out the others.
    const adaRow = await s.db.selectFrom('users').selectAll().where('id', '=', ada).executeTakeFirstOrThrow();
    await signInAs(rt, app, adaRow, 'a long enough passphrase 7');
    await expectAudit(
      'revokeUserSessions',
      'mutation($id: ID!) { revokeUserSessions(input: { userId: $id }) { revokedCount userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );
    await signInAs(rt, app, adaRow, 'a long enough passphrase 7');
    const adaToken = (await signInAs(rt, app, adaRow, 'a long enough passphrase 7')).accessToken;
    await expectAudit(
      'signOutOtherSessions',
      'mutation { signOutOtherSessions { revokedCount userErrors { code } } }',
      {},
      { token: adaToken, actor: ada, target: ada },
    );
    await expectAudit(
      'signOut',
      'mutation { signOut { userErrors { code } } }',
      {},
      {
        token: adaToken,
        actor: ada,
        target: ada,
      },
    );

    // refreshSession: rotation writes nothing.
    const fresh = await signInAs(rt, app, adaRow, 'a long enough passphrase 7');
    await expectAudit(
      'refreshSession',
      'mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken userErrors { code } } }',
      { t: fresh.refreshToken },
      { token: undefined },
    );

    // Ada mistypes her password, then an administrator lifts the count.
    await gql(app, 'mutation($i: SignInInput!) { signIn(input: $i) { userErrors { code } } }', {
      i: { email: 'ada@example.test', password: 'not her password at all', organization: org.slug },
    });
    await expectAudit(
      'unlockUser',
      'mutation($id: ID!) { unlockUser(input: { userId: $id }) { user { signInLock { failedAttempts } } userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );

    // Ada changes her password (from a session of her own), is sent a reset link by the owner, asks for
    // one herself, and uses it.
    const adaNow = await signInAs(rt, app, adaRow, 'a long enough passphrase 7');
    // Step-up: Ada confirms who she is again (her own session; no new one).
    await expectAudit(
      'reauthenticate',
      'mutation($p: String!) { reauthenticate(input: { password: $p }) { accessToken userErrors { code } } }',
      { p: 'a long enough passphrase 7' },
      { token: adaNow.accessToken, actor: ada, target: ada },
    );
    await expectAudit(
      'changeMyPassword',
      'mutation($i: ChangeMyPasswordInput!) { changeMyPassword(input: $i) { endedSessions userErrors { code } } }',
      { i: { currentPassword: 'a long enough passphrase 7', newPassword: 'quartz lantern meadow orbit' } },
      { token: adaNow.accessToken, actor: ada, target: ada },
    );
    await expectAudit(
      'sendPasswordReset',
      'mutation($id: ID!) { sendPasswordReset(input: { userId: $id }) { expiresAt userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );
    await expectAudit(
      'requestPasswordReset',
      'mutation($i: RequestPasswordResetInput!) { requestPasswordReset(input: $i) { ok userErrors { code } } }',
      { i: { email: 'ada@example.test', organization: org.slug } },
      { token: undefined, actor: null, target: ada },
    );
    // The newest link (it ended the administrator's): its email is named by the reset's id.
    const live = await s.db
      .selectFrom('password_resets')
      .select('id')
      .where('user_id', '=', ada)
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    const resetMail = await s.db
      .selectFrom('outbox_messages')
      .select('text_body')
      .where('org_id', '=', org.id)
      .where('dedupe_key', 'like', `password_reset:${live.id}:%`)
      .executeTakeFirstOrThrow();
    const resetToken = /reset-password#token=([A-Za-z0-9_%-]+)/.exec(resetMail.text_body)![1]!;
    await expectAudit(
      'completePasswordReset',
      'mutation($i: CompletePasswordResetInput!) { completePasswordReset(input: $i) { email userErrors { code } } }',
      { i: { token: decodeURIComponent(resetToken), newPassword: 'saffron glacier tumble kettle' } },
      { token: undefined, actor: null, target: ada },
    );

    await expectAudit(
      'deactivateUser',
      'mutation($id: ID!) { deactivateUser(input: { userId: $id, reason: "Left" }) { userErrors { code } } }',
      { id: ada },
      { actor: owner.id, target: ada },
    );
    await expectAudit(
      'updateOrganizationSettings',
      'mutation { updateOrganizationSettings(input: { invitationTtlDays: 14 }) { userErrors { code } } }',
      {},
      { actor: owner.id, target: org.id },
    );

    await expectAudit(
      'updateNotificationSettings',
      'mutation { updateNotificationSettings(input: { invitationReminderHours: 12 }) { userErrors { code } } }',
      {},
      { actor: owner.id, target: org.id },
    );
    await expectAudit(
      'markNotificationsRead',
      'mutation { markNotificationsRead(input: { all: true }) { userErrors { code } } }',
      {},
    );
    await expectAudit(
      'updateMyNotificationPreferences',
      'mutation { updateMyNotificationPreferences(input: { optOut: [USER_ACTIVATED] }) { userErrors { code } } }',
      {},
    );
    // An email that gave up, put back in the queue by an operator.
    const [deadId] = await s.db
      .selectFrom('outbox_messages')
      .select('id')
      .where('org_id', '=', org.id)
      .limit(1)
      .execute()
      .then((rows) => rows.map((r) => r.id));
    await s.db.updateTable('outbox_messages').set({ status: 'dead' }).where('id', '=', deadId!).execute();
    await expectAudit(
      'retryOutboxMessage',
      'mutation($id: ID!) { retryOutboxMessage(input: { id: $id }) { userErrors { code } } }',
      { id: deadId },
      { actor: owner.id, target: deadId },
    );

    // Departments: a tree of two, a move, managers, a placement, an archive.
    const created = await expectAudit(
      'createDepartment',
      'mutation { createDepartment(input: { name: "Fraud", code: "FRD" }) { department { id } userErrors { code } } }',
      {},
      { actor: owner.id },
    );
    const fraud = created.department.id as string;
    const other = await s.db
      .insertInto('departments')
      .values({ org_id: org.id, name: 'Other', path: 'x', depth: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await s.db
      .updateTable('departments')
      .set({ path: `${other.id}/` })
      .where('id', '=', other.id)
      .execute();
    await expectAudit(
      'updateDepartment',
      'mutation($id: ID!) { updateDepartment(input: { departmentId: $id, costCentre: "CC-1" }) { userErrors { code } } }',
      { id: fraud },
      { actor: owner.id, target: fraud },
    );
    await expectAudit(
      'moveDepartment',
      'mutation($id: ID!, $p: ID) { moveDepartment(input: { departmentId: $id, newParentId: $p }) { userErrors { code } } }',
      { id: fraud, p: other.id },
      { actor: owner.id, target: fraud },
    );
    await expectAudit(
      'setDepartmentManagers',
      'mutation($id: ID!, $u: [ID!]!) { setDepartmentManagers(input: { departmentId: $id, userIds: $u }) { userErrors { code } } }',
      { id: fraud, u: [owner.id] },
      { actor: owner.id, target: fraud },
    );
    await expectAudit(
      'addDepartmentMembers',
      'mutation($id: ID!, $d: ID!) { addDepartmentMembers(input: { departmentId: $d, userIds: [$id] }) { userErrors { code } } }',
      { id: owner.id, d: fraud },
      { actor: owner.id, target: owner.id },
    );
    await expectAudit(
      'setUserDepartments',
      'mutation($id: ID!, $d: ID) { setUserDepartments(input: { userId: $id, primaryDepartmentId: $d }) { userErrors { code } } }',
      { id: owner.id, d: other.id },
      { actor: owner.id, target: owner.id },
    );
    await expectAudit(
      'archiveDepartment',
      'mutation($id: ID!) { archiveDepartment(input: { departmentId: $id }) { userErrors { code } } }',
      { id: fraud },
      { actor: owner.id, target: fraud },
    );

    // MFA (security/mfa-totp): Mia sets up an authenticator app, signs in with it, makes new recovery
    // codes and removes the app again.
    const mia = await createUser(s, org.id, { role: 'analyst' });
    const miaSession = await signInAs(rt, app, mia);
    const begun = await expectAudit(
      'beginTotpEnrolment',
      'mutation { beginTotpEnrolment { otpauthUri userErrors { code } } }',
      {},
      { token: miaSession.accessToken, actor: mia.id, target: mia.id },
    );
    const app2 = URI.parse(begun.otpauthUri as string) as TOTP;
    const codeAt = () => app2.generate({ timestamp: rt.clock.now().getTime() });
    await expectAudit(
      'confirmTotpEnrolment',
      'mutation($c: String!) { confirmTotpEnrolment(input: { code: $c }) { recoveryCodes userErrors { code } } }',
      { c: codeAt() },
      { token: miaSession.accessToken, actor: mia.id, target: mia.id },
    );
    rt.clock.advance(30_000);
    const challenge = await gql(
      app,
      'mutation($i: SignInInput!) { signIn(input: $i) { mfaChallenge { id } userErrors { code } } }',
      { i: { email: mia.email, password: defaultTestPassword, organization: org.slug } },
    );
    await expectAudit(
      'completeSignIn',
      'mutation($i: CompleteSignInInput!) { completeSignIn(input: $i) { accessToken userErrors { code } } }',
      { i: { challengeId: challenge.body.data.signIn.mfaChallenge.id, totpCode: codeAt() } },
      { token: undefined, actor: mia.id, target: mia.id },
    );
    await expectAudit(
      'regenerateRecoveryCodes',
      'mutation { regenerateRecoveryCodes { recoveryCodes userErrors { code } } }',
      {},
      { token: miaSession.accessToken, actor: mia.id, target: mia.id },
    );
    await expectAudit(
      'removeTotpFactor',
      'mutation($p: String!) { removeTotpFactor(input: { currentPassword: $p }) { ok userErrors { code } } }',
      { p: defaultTestPassword },
      { token: miaSession.accessToken, actor: mia.id, target: mia.id },
    );

    await expectAudit(
      'resetUserFactor',
      'mutation($id: ID!) { resetUserFactor(input: { userId: $id, kind: RECOVERY_CODES }) { userErrors { code } } }',
      { id: mia.id },
      { actor: owner.id, target: mia.id },
    );
    await expectAudit(
      'resetUserFactors',
      'mutation($id: ID!) { resetUserFactors(input: { userId: $id }) { userErrors { code } } }',
      { id: mia.id },
      { actor: owner.id, target: mia.id },
    );

    // passkeys: the owner adds one (software authenticator), signs in with it, renames and removes it
    const authenticator = new SoftAuthenticator(new URL(rt.config.publicUrl).origin);
    const reg = await expectAudit(
      'beginPasskeyRegistration',
      'mutation { beginPasskeyRegistration { options userErrors { code } } }',
      {},
      { actor: owner.id },
    );
    const added = await expectAudit(
      'finishPasskeyRegistration',
      'mutation($i: FinishPasskeyRegistrationInput!) { finishPasskeyRegistration(input: $i) { passkey { id } userErrors { code } } }',
      { i: { name: 'Audit key', response: authenticator.createCredential(reg.options) } },
      { actor: owner.id, target: owner.id },
    );
    const ceremony = await expectAudit(
      'beginPasskeySignIn',
      'mutation { beginPasskeySignIn { ceremonyId options userErrors { code } } }',
      {},
      { token: undefined },
    );
    await expectAudit(
      'finishPasskeySignIn',
      'mutation($i: FinishPasskeySignInInput!) { finishPasskeySignIn(input: $i) { accessToken userErrors { code } } }',
      { i: { ceremonyId: ceremony.ceremonyId, response: authenticator.getAssertion(ceremony.options) } },
      { token: undefined, actor: owner.id, target: owner.id },
    );
    // A password sign-in now asks for the passkey as its second step, and step-up can use it.
    const second = await gql(
      app,
      'mutation($i: SignInInput!) { signIn(input: $i) { mfaChallenge { id methods } userErrors { code } } }',
      { i: { email: owner.email, password: defaultTestPassword, organization: org.slug } },
    );
    const mfaChallengeId = second.body.data.signIn.mfaChallenge.id as string;
    const secondOptions = await expectAudit(
      'beginSecondFactorPasskey',
      'mutation($i: BeginSecondFactorPasskeyInput!) { beginSecondFactorPasskey(input: $i) { options userErrors { code } } }',
      { i: { challengeId: mfaChallengeId } },
      { token: undefined },
    );
    await expectAudit(
      'completeSignIn',
      'mutation($i: CompleteSignInInput!) { completeSignIn(input: $i) { accessToken userErrors { code } } }',
      {
        i: {
          challengeId: mfaChallengeId,
          webauthnAssertion: authenticator.getAssertion(secondOptions.options),
        },
      },
      { token: undefined, actor: owner.id, target: owner.id },
    );
    const stepUp = await expectAudit(
      'beginReauthenticationPasskey',
      'mutation { beginReauthenticationPasskey { options userErrors { code } } }',
      {},
      { actor: owner.id },
    );
    await expectAudit(
      'reauthenticate',
      'mutation($a: JSON!) { reauthenticate(input: { passkeyAssertion: $a }) { accessToken userErrors { code } } }',
      { a: authenticator.getAssertion(stepUp.options) },
      { actor: owner.id, target: owner.id },
    );
    await expectAudit(
      'renamePasskey',
      'mutation($id: ID!) { renamePasskey(input: { id: $id, name: "Renamed" }) { userErrors { code } } }',
      { id: added.passkey.id },
      { actor: owner.id, target: owner.id },
    );
    await expectAudit(
      'removePasskey',
      'mutation($id: ID!) { removePasskey(input: { id: $id }) { userErrors { code } } }',
      { id: added.passkey.id },
      { actor: owner.id, target: owner.id },
    );

    expect([...seen].sort()).toEqual(Object.keys(expectedEvents).sort());
    // And the chain they form is intact.
    expect(await verifyAuditChain(s.db, org.id)).toMatchObject({ ok: true });
  });
});
