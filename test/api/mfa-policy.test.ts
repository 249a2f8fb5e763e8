import { type TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { OrganizationRow, UserRow } from '../../src/db/schema.js';
import { defaultTestPassword, freshIp, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// The organisation's MFA policy: roles that must enrol a second factor, a grace period, and after it a
// session that can do nothing but enrol (issue 12, "Administration" and "Enforcement").

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

const day = 86_400_000;
const settingsDoc = `mutation($i: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $i) {
    organization { mfaRequiredRoles mfaPhishingResistantRoles mfaGracePeriodDays }
    userErrors { code field message } } }`;
const signInDoc = `mutation($i: SignInInput!) {
  signIn(input: $i) { accessToken refreshToken mfaEnrolmentRequired userErrors { code } } }`;
const requirementDoc = `{ myMfaRequirement { required phishingResistant dueAt satisfied enforced restricted email } }`;

async function signIn(org: OrganizationRow, user: UserRow) {
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: freshIp(),
    payload: {
      query: signInDoc,
      variables: { i: { email: user.email, password: defaultTestPassword, organization: org.slug } },
    },
  });
  return r.json().data.signIn as {
    accessToken: string;
    refreshToken: string;
    mfaEnrolmentRequired: boolean;
    userErrors: { code: string }[];
  };
}

async function setup(grace: number) {
  const org = await createOrg(rt.services);
  const owner = await createUser(rt.services, org.id, { role: 'owner', password: defaultTestPassword });
  const admin = await createUser(rt.services, org.id, {
    role: 'administrator',
    password: defaultTestPassword,
  });
  const viewer = await createUser(rt.services, org.id, { role: 'viewer', password: defaultTestPassword });
  const ownerToken = (await signInAs(rt, app, owner)).accessToken;
  const set = await gql(
    app,
    settingsDoc,
    { i: { mfaRequiredRoles: ['ADMINISTRATOR'], mfaGracePeriodDays: grace } },
    ownerToken,
  );
  expect(set.body.data.updateOrganizationSettings).toEqual({
    organization: {
      mfaRequiredRoles: ['ADMINISTRATOR'],
      mfaPhishingResistantRoles: [],
      mfaGracePeriodDays: grace,
    },
    userErrors: [],
  });
  return { org, owner, admin, viewer, ownerToken };
}

describe('the MFA policy setting', () => {
  it('is audited with the roles and the date each became covered', async () => {
    const { org, ownerToken } = await setup(3);
    const r = await gql(app, settingsDoc, { i: { mfaPhishingResistantRoles: ['OWNER'] } }, ownerToken);
    expect(r.body.data.updateOrganizationSettings.organization).toEqual({
      mfaRequiredRoles: ['ADMINISTRATOR', 'OWNER'],
      mfaPhishingResistantRoles: ['OWNER'],
      mfaGracePeriodDays: 3,
    });
    const events = await rt.services.db
      .selectFrom('audit_events')
      .select('changes')
      .where('org_id', '=', org.id)
      .where('action', '=', 'organization.updated')
      .orderBy('seq')
      .execute();
    expect(events.map((e) => Object.keys(e.changes as object))).toEqual([
      ['mfaRequiredRoles', 'mfaGracePeriodDays'],
      ['mfaPhishingResistantRoles'],
    ]);
    const stored = await rt.services.db
      .selectFrom('organizations')
      .select('settings')
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(Object.keys(stored.settings.mfaRequiredSince as object).sort()).toEqual([
      'administrator',
      'owner',
    ]);
  });

  it('refuses unknown roles and a grace period out of bounds, naming the field', async () => {
    const { ownerToken } = await setup(3);
    const bad = await gql(app, settingsDoc, { i: { mfaGracePeriodDays: 91 } }, ownerToken);
    expect(bad.body.data.updateOrganizationSettings.userErrors).toEqual([
      expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'mfaGracePeriodDays' }),
    ]);
    const unknown = await gql(app, settingsDoc, { i: { mfaRequiredRoles: ['NOBODY'] } }, ownerToken);
    expect(unknown.body.errors?.[0]?.message).toMatch(/NOBODY/);
  });
});

describe('enforcement', () => {
  it('lets a covered person in during the grace period and says until when', async () => {
    const { org, admin } = await setup(3);
    const s = await signIn(org, admin);
    expect(s.mfaEnrolmentRequired).toBe(false);
    const r = await gql(app, requirementDoc, undefined, s.accessToken);
    const now = rt.clock.now().getTime();
    expect(r.body.data.myMfaRequirement).toMatchObject({
      required: true,
      phishingResistant: false,
      satisfied: false,
      enforced: false,
      restricted: false,
      email: admin.email,
    });
    expect(Math.abs(new Date(r.body.data.myMfaRequirement.dueAt).getTime() - (now + 3 * day))).toBeLessThan(
      60_000,
    );
    expect((await gql(app, '{ organization { id } }', undefined, s.accessToken)).body.errors).toBeUndefined();
  });

  it('after the grace period, a covered person can do nothing but enrol and sign out', async () => {
    const { org, admin, viewer } = await setup(3);
    rt.clock.advance(3 * day + 1000);
    const s = await signIn(org, admin);
    expect(s.userErrors).toEqual([]);
    expect(s.mfaEnrolmentRequired).toBe(true);

    // Queries and mutations alike: the stable code, nothing done.
    const query = await gql(app, '{ organization { id name } }', undefined, s.accessToken);
    expect(query.body.errors?.[0]?.extensions?.code).toBe('MFA_ENROLMENT_REQUIRED');
    const users = await gql(app, '{ users(first: 5) { nodes { id } } }', undefined, s.accessToken);
    expect(users.body.errors?.[0]?.extensions?.code).toBe('MFA_ENROLMENT_REQUIRED');
    const suspend = await gql(
      app,
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: "x" }) { userErrors { code } } }',
      { id: viewer.id },
      s.accessToken,
    );
    expect(JSON.stringify(suspend.body)).toContain('MFA_ENROLMENT_REQUIRED');
    const after = await rt.services.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', viewer.id)
      .executeTakeFirstOrThrow();
    expect(after.status).toBe('active');
    expect((await gql(app, '{ viewer { id } }', undefined, s.accessToken)).body.data.viewer).toBeNull();

    // Other HTTP faces refuse it too.
    const exported = await app.inject({
      method: 'GET',
      url: '/api/audit/export?format=csv',
      headers: { authorization: `Bearer ${s.accessToken}` },
    });
    expect(exported.statusCode).toBe(401);

    // What it may do: read what is asked, and sign out.
    const req = await gql(app, requirementDoc, undefined, s.accessToken);
    expect(req.body.data.myMfaRequirement).toMatchObject({
      required: true,
      enforced: true,
      restricted: true,
    });

    // A refresh keeps the restriction.
    const refreshed = await gql(
      app,
      'mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken mfaEnrolmentRequired } }',
      { t: s.refreshToken },
    );
    expect(refreshed.body.data.refreshSession.mfaEnrolmentRequired).toBe(true);
    const token = refreshed.body.data.refreshSession.accessToken as string;
    expect(
      (await gql(app, '{ organization { id } }', undefined, token)).body.errors?.[0]?.extensions?.code,
    ).toBe('MFA_ENROLMENT_REQUIRED');

    const out = await gql(app, 'mutation { signOut { ok userErrors { code } } }', undefined, token);
    expect(out.body.data.signOut).toEqual({ ok: true, userErrors: [] });

    // The sign-in is audited with its restriction.
    const signedIn = await rt.services.db
      .selectFrom('audit_events')
      .select('changes')
      .where('org_id', '=', org.id)
      .where('action', '=', 'session.signed_in')
      .where('target_id', '=', admin.id)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(signedIn.changes).toMatchObject({ restriction: 'mfa_enrolment' });
  });

  it('leaves roles the policy does not cover alone', async () => {
    const { org, viewer } = await setup(0);
    const s = await signIn(org, viewer);
    expect(s.mfaEnrolmentRequired).toBe(false);
    const r = await gql(app, requirementDoc, undefined, s.accessToken);
    expect(r.body.data.myMfaRequirement).toMatchObject({ required: false, enforced: false, dueAt: null });
  });

  it('gives someone activated after the policy their own grace period', async () => {
    const { org } = await setup(2);
    rt.clock.advance(5 * day);
    const newcomer = await createUser(rt.services, org.id, {
      role: 'administrator',
      password: defaultTestPassword,
    });
    expect((await signIn(org, newcomer)).mfaEnrolmentRequired).toBe(false);
    rt.clock.advance(2 * day);
    expect((await signIn(org, newcomer)).mfaEnrolmentRequired).toBe(true);
  });
});

describe('enrolling lifts the restriction', () => {
  const beginTotp = 'mutation { beginTotpEnrolment { otpauthUri userErrors { code } } }';
  const confirmTotp = `mutation($c: String!) { confirmTotpEnrolment(input: { code: $c }) { recoveryCodes userErrors { code } } }`;
  const refreshDoc = `mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken mfaEnrolmentRequired } }`;

  it('an authenticator app set up from the enrolment-only session opens the console after a refresh', async () => {
    const { org, admin } = await setup(0);
    const s = await signIn(org, admin);
    expect(s.mfaEnrolmentRequired).toBe(true);
    const begun = await gql(app, beginTotp, undefined, s.accessToken);
    expect(begun.body.data.beginTotpEnrolment.userErrors).toEqual([]);
    const totp = URI.parse(begun.body.data.beginTotpEnrolment.otpauthUri) as TOTP;
    const confirmed = await gql(
      app,
      confirmTotp,
      { c: totp.generate({ timestamp: rt.clock.now().getTime() }) },
      s.accessToken,
    );
    expect(confirmed.body.data.confirmTotpEnrolment.userErrors).toEqual([]);
    expect(confirmed.body.data.confirmTotpEnrolment.recoveryCodes).toHaveLength(10);

    // The token in hand stays restricted until it expires; the refreshed one is not.
    expect(
      (await gql(app, '{ organization { id } }', undefined, s.accessToken)).body.errors?.[0]?.extensions
        ?.code,
    ).toBe('MFA_ENROLMENT_REQUIRED');
    const refreshed = await gql(app, refreshDoc, { t: s.refreshToken });
    expect(refreshed.body.data.refreshSession.mfaEnrolmentRequired).toBe(false);
    const token = refreshed.body.data.refreshSession.accessToken as string;
    expect((await gql(app, '{ organization { id } }', undefined, token)).body.errors).toBeUndefined();
    const req = await gql(app, requirementDoc, undefined, token);
    expect(req.body.data.myMfaRequirement).toMatchObject({
      satisfied: true,
      enforced: false,
      restricted: false,
    });

    // The next sign-in asks for the app's code, and then opens an ordinary session.
    rt.clock.advance(30_000);
    const next = await signIn(org, admin);
    expect(next.accessToken ?? null).toBeNull();
    const challenge = await gql(
      app,
      `mutation($i: SignInInput!) { signIn(input: $i) { mfaChallenge { id } userErrors { code } } }`,
      { i: { email: admin.email, password: defaultTestPassword, organization: org.slug } },
    );
    const done = await gql(
      app,
      `mutation($i: CompleteSignInInput!) { completeSignIn(input: $i) { accessToken mfaEnrolmentRequired userErrors { code } } }`,
      {
        i: {
          challengeId: challenge.body.data.signIn.mfaChallenge.id,
          totpCode: totp.generate({ timestamp: rt.clock.now().getTime() + 30_000 }),
        },
      },
    );
    expect(done.body.data.completeSignIn).toMatchObject({ mfaEnrolmentRequired: false, userErrors: [] });
  });

  it('for a role that must use a passkey, an app is not enough; a passkey is', async () => {
    const { org, admin, ownerToken } = await setup(0);
    await gql(app, settingsDoc, { i: { mfaPhishingResistantRoles: ['ADMINISTRATOR'] } }, ownerToken);
    const s = await signIn(org, admin);
    expect(s.mfaEnrolmentRequired).toBe(true);
    const begun = await gql(app, beginTotp, undefined, s.accessToken);
    const totp = URI.parse(begun.body.data.beginTotpEnrolment.otpauthUri) as TOTP;
    await gql(app, confirmTotp, { c: totp.generate({ timestamp: rt.clock.now().getTime() }) }, s.accessToken);
    const stillRestricted = await gql(app, refreshDoc, { t: s.refreshToken });
    expect(stillRestricted.body.data.refreshSession.mfaEnrolmentRequired).toBe(true);
    const token = stillRestricted.body.data.refreshSession.accessToken as string;
    expect((await gql(app, requirementDoc, undefined, token)).body.data.myMfaRequirement).toMatchObject({
      phishingResistant: true,
      satisfied: false,
      restricted: true,
    });

    // A passkey, registered from the restricted session, satisfies it.
    const authenticator = new SoftAuthenticator(new URL(rt.config.publicUrl).origin);
    const reg = await gql(
      app,
      'mutation { beginPasskeyRegistration { options userErrors { code } } }',
      undefined,
      token,
    );
    expect(reg.body.data.beginPasskeyRegistration.userErrors).toEqual([]);
    const added = await gql(
      app,
      'mutation($i: FinishPasskeyRegistrationInput!) { finishPasskeyRegistration(input: $i) { passkey { id } userErrors { code } } }',
      {
        i: {
          name: 'Work key',
          response: authenticator.createCredential(reg.body.data.beginPasskeyRegistration.options),
        },
      },
      token,
    );
    expect(added.body.data.finishPasskeyRegistration.userErrors).toEqual([]);
    const rows = await rt.services.db
      .selectFrom('sessions')
      .select('restriction')
      .where('user_id', '=', admin.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(rows.map((r) => r.restriction)).toEqual(rows.map(() => null));
  });
});

describe("an administrator's reset of a person's factors", () => {
  it('removes passkeys too, ends the sessions, and the audit event lists them', async () => {
    const { org, admin, ownerToken } = await setup(7);
    const s = await signIn(org, admin);
    const authenticator = new SoftAuthenticator(new URL(rt.config.publicUrl).origin);
    const reg = await gql(app, 'mutation { beginPasskeyRegistration { options } }', undefined, s.accessToken);
    const added = await gql(
      app,
      'mutation($i: FinishPasskeyRegistrationInput!) { finishPasskeyRegistration(input: $i) { passkey { id } userErrors { code } } }',
      {
        i: {
          name: 'Desk key',
          response: authenticator.createCredential(reg.body.data.beginPasskeyRegistration.options),
        },
      },
      s.accessToken,
    );
    const passkeyId = added.body.data.finishPasskeyRegistration.passkey.id as string;
    const reset = await gql(
      app,
      'mutation($id: ID!) { resetUserFactors(input: { userId: $id }) { userErrors { code } } }',
      { id: admin.id },
      ownerToken,
    );
    expect(reset.body.data.resetUserFactors.userErrors).toEqual([]);
    const left = await rt.services.db
      .selectFrom('passkeys')
      .select('id')
      .where('user_id', '=', admin.id)
      .execute();
    expect(left).toEqual([]);
    expect(
      (await gql(app, '{ organization { id } }', undefined, s.accessToken)).body.errors?.[0]?.extensions
        ?.code,
    ).toBe('UNAUTHENTICATED');
    const event = await rt.services.db
      .selectFrom('audit_events')
      .select('changes')
      .where('org_id', '=', org.id)
      .where('action', '=', 'user.mfa_reset')
      .executeTakeFirstOrThrow();
    expect(event.changes).toMatchObject({ passkeysRemoved: [{ id: passkeyId, name: 'Desk key' }] });
  });
});
