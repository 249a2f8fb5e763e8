import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleHas, roleKeys } from '../../src/authz/roles.js';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { issueInvitation } from '../../src/domain/invitations/invitation-link.js';
import { defaultTestPassword, freshIp, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { mayActOnRoles } from '../support/role-ranks.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Changing your own password, an administrator's reset link, and the organisation's minimum length.

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

const changeDoc = `mutation($i: ChangeMyPasswordInput!) {
  changeMyPassword(input: $i) { endedSessions userErrors { code field message } } }`;
const sendDoc = `mutation($id: ID!) { sendPasswordReset(input: { userId: $id }) { expiresAt userErrors { code } } }`;
const settingsDoc = `mutation($i: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $i) { organization { minPasswordLength endSessionsOnPasswordChange } userErrors { code field message } } }`;
const newPassword = 'amber trellis quorum 4471';

async function changeFrom(ip: string, token: string, currentPassword: string, next = newPassword) {
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: ip,
    headers: { authorization: `Bearer ${token}` },
    payload: { query: changeDoc, variables: { i: { currentPassword, newPassword: next } } },
  });
  return r.json().data.changeMyPassword;
}

async function alive(token: string): Promise<boolean> {
  const r = await gql(app, '{ sessions { id } }', undefined, token);
  return r.body.errors === undefined;
}

async function person(orgId: string, role: (typeof roleKeys)[number] = 'investigator'): Promise<UserRow> {
  return createUser(rt.services, orgId, { role, password: defaultTestPassword });
}

describe('changeMyPassword', () => {
  it('refuses a wrong current password and counts it toward the lockout', async () => {
    const org = await createOrg(rt.services);
    const user = await person(org.id);
    const s = await signInAs(rt, app, user);
    const r = await changeFrom(freshIp(), s.accessToken, 'not my password at all, sorry');
    expect(r).toEqual({
      endedSessions: null,
      userErrors: [
        {
          code: 'CURRENT_PASSWORD_INCORRECT',
          field: 'currentPassword',
          message: 'The current password is not correct.',
        },
      ],
    });
    const row = await rt.services.db
      .selectFrom('users')
      .select(['failed_login_count', 'password_hash'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ failed_login_count: 1, password_hash: user.password_hash });
    const failed = await rt.services.db
      .selectFrom('audit_events')
      .select('changes')
      .where('target_id', '=', user.id)
      .where('action', '=', 'session.sign_in_failed')
      .execute();
    expect(failed.map((e) => e.changes)).toEqual([
      { reason: 'wrong_current_password', consecutiveFailures: 1 },
    ]);

    // Past the account's free failures it is locked like a sign-in: even the right password is not tried.
    const ip = freshIp();
    for (let i = 0; i < 5; i += 1) await changeFrom(ip, s.accessToken, `wrong guess number ${i} here`);
    const locked = await changeFrom(ip, s.accessToken, defaultTestPassword);
    expect(locked.userErrors[0]).toMatchObject({ code: 'CURRENT_PASSWORD_INCORRECT' });
    expect(locked.userErrors[0].message).toContain('Too many failed attempts');
  });

  it('ends the other sessions, keeps the current one, and tells the person', async () => {
    const org = await createOrg(rt.services, 'Kent Police');
    const user = await person(org.id);
    const here = await signInAs(rt, app, user);
    const other = await signInAs(rt, app, user);
    const r = await changeFrom(freshIp(), here.accessToken, defaultTestPassword);
    expect(r).toEqual({ endedSessions: 1, userErrors: [] });
    expect(await alive(here.accessToken)).toBe(true);
    expect(await alive(other.accessToken)).toBe(false);
    const refreshed = await gql(
      app,
      'mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { userErrors { code } } }',
      { t: other.refreshToken },
    );
    expect(refreshed.body.data.refreshSession.userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
    // The new password signs in; the old one no longer does.
    const updated = await rt.services.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    await expect(signInAs(rt, app, updated, defaultTestPassword)).rejects.toThrow();
    expect((await signInAs(rt, app, updated, newPassword)).accessToken).toBeTruthy();
    const mail = await rt.services.db
      .selectFrom('outbox_messages')
      .select(['subject', 'text_body'])
      .where('recipient_user_id', '=', user.id)
      .where('kind', '=', 'password_changed')
      .execute();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('Your password for Kent Police was changed');
    expect(mail[0]!.text_body).toContain('Your other sessions (1) were signed out.');
  });

  it('keeps the other sessions when the organisation turned that off', async () => {
    const org = await createOrg(rt.services);
    const owner = await person(org.id, 'owner');
    const ownerToken = (await signInAs(rt, app, owner)).accessToken;
    const off = await gql(app, settingsDoc, { i: { endSessionsOnPasswordChange: false } }, ownerToken);
    expect(off.body.data.updateOrganizationSettings.organization.endSessionsOnPasswordChange).toBe(false);
    const user = await person(org.id);
    const here = await signInAs(rt, app, user);
    const other = await signInAs(rt, app, user);
    expect(await changeFrom(freshIp(), here.accessToken, defaultTestPassword)).toEqual({
      endedSessions: 0,
      userErrors: [],
    });
    expect(await alive(other.accessToken)).toBe(true);
  });

  it('applies the policy to the new password, without counting a failure', async () => {
    const org = await createOrg(rt.services);
    const user = await person(org.id);
    const s = await signInAs(rt, app, user);
    const r = await changeFrom(freshIp(), s.accessToken, defaultTestPassword, 'short one');
    expect(r.userErrors).toEqual([
      { code: 'PASSWORD_POLICY', field: 'newPassword', message: 'Use at least 15 characters.' },
    ]);
    const row = await rt.services.db
      .selectFrom('users')
      .select('failed_login_count')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.failed_login_count).toBe(0);
  });
});

describe('sendPasswordReset', () => {
  it('needs security:manage, and the target-role rule', async () => {
    const org = await createOrg(rt.services);
    const tokens = new Map<string, string>();
    for (const role of roleKeys)
      tokens.set(role, (await signInAs(rt, app, await person(org.id, role))).accessToken);
    for (const actor of roleKeys) {
      for (const targetRole of ['owner', 'administrator', 'security_officer', 'viewer'] as const) {
        const target = await person(org.id, targetRole);
        const r = await gql(app, sendDoc, { id: target.id }, tokens.get(actor));
        const expected =
          roleHas(actor, 'security:manage') && mayActOnRoles[actor].includes(targetRole)
            ? []
            : [{ code: 'FORBIDDEN' }];
        expect({ actor, targetRole, errors: r.body.data.sendPasswordReset.userErrors }).toEqual({
          actor,
          targetRole,
          errors: expected,
        });
        const links = await rt.services.db
          .selectFrom('password_resets')
          .select('id')
          .where('user_id', '=', target.id)
          .execute();
        expect(links).toHaveLength(expected.length === 0 ? 1 : 0);
      }
    }
  });

  it('emails the user a link naming the administrator; the administrator sees no link', async () => {
    const org = await createOrg(rt.services, 'Met');
    const admin = await createUser(rt.services, org.id, {
      role: 'security_officer',
      displayName: 'Inspector Frost',
      password: defaultTestPassword,
    });
    const user = await person(org.id);
    const r = await gql(app, sendDoc, { id: user.id }, (await signInAs(rt, app, admin)).accessToken);
    expect(Object.keys(r.body.data.sendPasswordReset).sort()).toEqual(['expiresAt', 'userErrors']);
    expect(r.body.data.sendPasswordReset.userErrors).toEqual([]);
    const mail = await rt.services.db
      .selectFrom('outbox_messages')
      .select(['recipient_email', 'text_body'])
      .where('kind', '=', 'password_reset')
      .where('org_id', '=', org.id)
      .execute();
    expect(mail.map((m) => m.recipient_email)).toEqual([user.email]);
    expect(mail[0]!.text_body).toContain('Inspector Frost, an administrator of Met');
    expect(mail[0]!.text_body).toMatch(/reset-password#token=/);
    const audit = await rt.services.db
      .selectFrom('audit_events')
      .select(['actor_id', 'target_id'])
      .where('action', '=', 'user.password_reset_sent')
      .where('org_id', '=', org.id)
      .execute();
    expect(audit).toEqual([{ actor_id: admin.id, target_id: user.id }]);
    // Not for an account that is not active.
    const invited = await createUser(rt.services, org.id, { status: 'invited' });
    const refused = await gql(app, sendDoc, { id: invited.id }, (await signInAs(rt, app, admin)).accessToken);
    expect(refused.body.data.sendPasswordReset.userErrors).toEqual([{ code: 'VALIDATION_FAILED' }]);
  });
});

describe('the organisation’s minimum password length', () => {
  it('can only raise NIST’s floor, and every place that sets a password honours it', async () => {
    const org = await createOrg(rt.services);
    const owner = await person(org.id, 'owner');
    const token = (await signInAs(rt, app, owner)).accessToken;
    const below = await gql(app, settingsDoc, { i: { minPasswordLength: 7 } }, token);
    expect(below.body.data.updateOrganizationSettings.userErrors).toEqual([
      expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'minPasswordLength' }),
    ]);
    // 10 is allowed (it binds people with a second factor) but a lone password still needs 15.
    const ten = await gql(app, settingsDoc, { i: { minPasswordLength: 10 } }, token);
    expect(ten.body.data.updateOrganizationSettings.organization.minPasswordLength).toBe(10);
    const user = await person(org.id);
    const s = await signInAs(rt, app, user);
    expect(
      (await changeFrom(freshIp(), s.accessToken, defaultTestPassword, 'twelve chars')).userErrors[0],
    ).toMatchObject({
      code: 'PASSWORD_POLICY',
      message: 'Use at least 15 characters.',
    });

    const twenty = await gql(app, settingsDoc, { i: { minPasswordLength: 20 } }, token);
    expect(twenty.body.data.updateOrganizationSettings.organization.minPasswordLength).toBe(20);
    const sixteen = 'quartz meadow 77'; // 16 characters: enough for NIST, not for this organisation
    expect(
      (await changeFrom(freshIp(), s.accessToken, defaultTestPassword, sixteen)).userErrors[0],
    ).toMatchObject({
      code: 'PASSWORD_POLICY',
      message: 'Use at least 20 characters.',
    });

    // acceptInvitation: the preview announces it, the acceptance enforces it.
    const invitee = await createUser(rt.services, org.id, { status: 'invited' });
    const now = rt.clock.now();
    const { token: inviteToken } = await rt.services.db.transaction().execute((trx) =>
      issueInvitation(trx, {
        orgId: org.id,
        userId: invitee.id,
        role: 'viewer',
        message: null,
        invitedBy: null,
        expiresAt: new Date(now.getTime() + 86_400_000),
        now,
      }),
    );
    const preview = await gql(
      app,
      'query($t: String!) { invitationPreview(token: $t) { minPasswordLength } }',
      {
        t: inviteToken,
      },
    );
    expect(preview.body.data.invitationPreview.minPasswordLength).toBe(20);
    const accept = await gql(
      app,
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { userErrors { code message } } }',
      { i: { token: inviteToken, password: sixteen, displayName: 'New Person' } },
    );
    expect(accept.body.data.acceptInvitation.userErrors).toEqual([
      { code: 'PASSWORD_POLICY', message: 'Use at least 20 characters.' },
    ]);

    // completePasswordReset: the same.
    await gql(app, sendDoc, { id: user.id }, token);
    const mail = await rt.services.db
      .selectFrom('outbox_messages')
      .select('text_body')
      .where('recipient_user_id', '=', user.id)
      .where('kind', '=', 'password_reset')
      .executeTakeFirstOrThrow();
    const resetToken = decodeURIComponent(/reset-password#token=([A-Za-z0-9_%-]+)/.exec(mail.text_body)![1]!);
    const resetPreview = await gql(
      app,
      'query($t: String!) { passwordResetPreview(token: $t) { minPasswordLength } }',
      {
        t: resetToken,
      },
    );
    expect(resetPreview.body.data.passwordResetPreview.minPasswordLength).toBe(20);
    const reset = await gql(
      app,
      'mutation($i: CompletePasswordResetInput!) { completePasswordReset(input: $i) { userErrors { code message } } }',
      { i: { token: resetToken, newPassword: sixteen } },
    );
    expect(reset.body.data.completePasswordReset.userErrors).toEqual([
      { code: 'PASSWORD_POLICY', message: 'Use at least 20 characters.' },
    ]);
    const ok = await gql(
      app,
      'mutation($i: CompletePasswordResetInput!) { completePasswordReset(input: $i) { userErrors { code message } } }',
      { i: { token: resetToken, newPassword: 'quartz meadow lantern 7781' } },
    );
    expect(ok.body.data.completePasswordReset.userErrors).toEqual([]);
  });

  it('allows one credential-checking field per document', async () => {
    const r = await gql(
      app,
      `mutation { a: requestPasswordReset(input: { email: "a@example.test" }) { ok }
                  b: requestPasswordReset(input: { email: "b@example.test" }) { ok } }`,
    );
    expect(r.body.data).toBeUndefined();
    expect(JSON.stringify(r.body.errors)).toContain('requestPasswordReset may appear only once per request.');
  });
});
