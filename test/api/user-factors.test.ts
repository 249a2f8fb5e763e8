import { type TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { OrganizationRow, UserRow } from '../../src/db/schema.js';
import { defaultTestPassword, freshIp, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// A person's factors as administrators see them, and resetting one of them (issue 12, "Administration").

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  // Access tokens outlive the step-up window here, so an old authentication is what is refused.
  rt = await openTestRuntime({ ACCESS_TOKEN_TTL_SECONDS: '3600' });
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});
beforeEach(async () => {
  await rt.services.db.deleteFrom('sign_in_throttle').execute();
});

const listDoc = `query($id: ID!) { userFactors(userId: $id) {
  kind id name createdAt lastUsedAt recoveryCodes { left total } } }`;
const resetOneDoc = `mutation($i: ResetUserFactorInput!) { resetUserFactor(input: $i) {
  user { id } userErrors { code field } } }`;
const resetAllDoc = `mutation($id: ID!) { resetUserFactors(input: { userId: $id }) { user { id } userErrors { code } } }`;
const beginTotpDoc = `mutation { beginTotpEnrolment { otpauthUri secret userErrors { code } } }`;
const confirmTotpDoc = `mutation($i: ConfirmTotpEnrolmentInput!) { confirmTotpEnrolment(input: $i) {
  factor { id } recoveryCodes userErrors { code } } }`;
const beginRegDoc = `mutation { beginPasskeyRegistration { options userErrors { code } } }`;
const finishRegDoc = `mutation($i: FinishPasskeyRegistrationInput!) { finishPasskeyRegistration(input: $i) {
  passkey { id } userErrors { code } } }`;
const reauthenticateDoc = `mutation($p: String!) { reauthenticate(input: { password: $p }) { accessToken userErrors { code } } }`;
const settingsDoc = `mutation($i: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $i) {
  userErrors { code } } }`;
const signInDoc = `mutation($i: SignInInput!) { signIn(input: $i) { accessToken mfaEnrolmentRequired mfaChallenge { id } userErrors { code } } }`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const codeOf = (payload: any): string => payload?.userErrors?.[0]?.code ?? 'ok';

/** A person with an authenticator app (and its 10 recovery codes) and passkeys, set up through the API. */
async function withFactors(org: OrganizationRow, passkeyNames: string[], totp = true) {
  const user = await createUser(rt.services, org.id, { role: 'investigator', password: defaultTestPassword });
  const session = await signInAs(rt, app, user);
  const secrets: string[] = [];
  const passkeyIds: Record<string, string> = {};
  for (const name of passkeyNames) {
    // One authenticator per passkey: an authenticator holds one credential per account.
    const authenticator = new SoftAuthenticator(new URL(rt.config.publicUrl).origin);
    const begun = (await gql(app, beginRegDoc, undefined, session.accessToken)).body.data;
    const response = authenticator.createCredential(begun.beginPasskeyRegistration.options);
    const done = await gql(app, finishRegDoc, { i: { name, response } }, session.accessToken);
    expect(done.body.data.finishPasskeyRegistration.userErrors).toEqual([]);
    passkeyIds[name] = done.body.data.finishPasskeyRegistration.passkey.id;
    rt.clock.advance(1000); // listed oldest first
  }
  let totpId: string | null = null;
  if (totp) {
    const begun = (await gql(app, beginTotpDoc, undefined, session.accessToken)).body.data.beginTotpEnrolment;
    const app_ = URI.parse(begun.otpauthUri) as TOTP;
    secrets.push(begun.secret);
    const code = app_.generate({ timestamp: rt.clock.now().getTime() });
    const ok = await gql(app, confirmTotpDoc, { i: { code, name: 'Phone' } }, session.accessToken);
    expect(ok.body.data.confirmTotpEnrolment.userErrors).toEqual([]);
    totpId = ok.body.data.confirmTotpEnrolment.factor.id;
    secrets.push(...ok.body.data.confirmTotpEnrolment.recoveryCodes);
  }
  return { user, session, secrets, passkeyIds, totpId };
}

async function setup() {
  const org = await createOrg(rt.services, 'Acme Factors');
  const owner = await createUser(rt.services, org.id, { role: 'owner', password: defaultTestPassword });
  const officer = await createUser(rt.services, org.id, {
    role: 'security_officer',
    password: defaultTestPassword,
  });
  const viewer = await createUser(rt.services, org.id, { role: 'viewer', password: defaultTestPassword });
  const officerToken = (await signInAs(rt, app, officer)).accessToken;
  return { org, owner, officer, viewer, officerToken };
}

async function liveSessions(user: UserRow) {
  return rt.services.db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', user.id)
    .where('revoked_at', 'is', null)
    .execute();
}

async function counts(user: UserRow) {
  const db = rt.services.db;
  const passkeys = await db.selectFrom('passkeys').select('name').where('user_id', '=', user.id).execute();
  const apps = await db.selectFrom('mfa_factors').select('id').where('user_id', '=', user.id).execute();
  const codes = await db
    .selectFrom('mfa_recovery_codes')
    .select('id')
    .where('user_id', '=', user.id)
    .execute();
  return { passkeys: passkeys.map((p) => p.name).sort(), apps: apps.length, codes: codes.length };
}

describe('userFactors', () => {
  it('lists the app, each passkey and the recovery codes as "n of 10", with nothing secret', async () => {
    const { org, officerToken, viewer } = await setup();
    const { user, session, secrets, passkeyIds, totpId } = await withFactors(org, ['Laptop', 'Key']);
    // One recovery code used: 9 of 10 left, last used then.
    const usedAt = rt.clock.now();
    await rt.services.db
      .updateTable('mfa_recovery_codes')
      .set({ used_at: usedAt })
      .where('id', '=', (eb) =>
        eb.selectFrom('mfa_recovery_codes').select('id').where('user_id', '=', user.id).limit(1),
      )
      .execute();
    const r = await gql(app, listDoc, { id: user.id }, officerToken);
    expect(r.body.errors).toBeUndefined();
    const list = r.body.data.userFactors;
    expect(list.map((f: { kind: string; name: string | null }) => [f.kind, f.name])).toEqual([
      ['AUTHENTICATOR_APP', 'Phone'],
      ['PASSKEY', 'Laptop'],
      ['PASSKEY', 'Key'],
      ['RECOVERY_CODES', null],
    ]);
    expect(list[0]).toMatchObject({ id: totpId, recoveryCodes: null });
    expect(list[1].id).toBe(passkeyIds.Laptop);
    expect(list[3]).toMatchObject({
      id: null,
      recoveryCodes: { left: 9, total: 10 },
      lastUsedAt: usedAt.toISOString(),
    });
    // No secret, code, code hash, credential id or public key anywhere in the answer.
    const text = JSON.stringify(r.body);
    const db = rt.services.db;
    const stored = [
      ...(
        await db
          .selectFrom('passkeys')
          .select(['credential_id', 'public_key'])
          .where('user_id', '=', user.id)
          .execute()
      ).flatMap((p) => [p.credential_id, p.public_key]),
      ...(
        await db.selectFrom('mfa_recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()
      ).map((c) => c.code_hash),
      ...(
        await db.selectFrom('mfa_factors').select('secret_sealed').where('user_id', '=', user.id).execute()
      ).map((f) => f.secret_sealed),
    ];
    for (const s of [...secrets, ...stored]) expect(text).not.toContain(s);
    // The person sees their own; someone without security:manage does not, and another org's is NOT_FOUND.
    const own = await gql(app, listDoc, { id: user.id }, session.accessToken);
    expect(own.body.data.userFactors).toHaveLength(4);
    const viewerToken = (await signInAs(rt, app, viewer)).accessToken;
    const refused = await gql(app, listDoc, { id: user.id }, viewerToken);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const elsewhere = await createUser(rt.services, (await createOrg(rt.services)).id);
    const other = await gql(app, listDoc, { id: elsewhere.id }, officerToken);
    expect(other.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('resetUserFactor', () => {
  it('removes one passkey and leaves the other passkeys and the app; sessions end; audited; emailed', async () => {
    const { org, officer, officerToken } = await setup();
    const { user, passkeyIds } = await withFactors(org, ['Laptop', 'Key']);
    expect((await liveSessions(user)).length).toBeGreaterThan(0);
    const r = await gql(
      app,
      resetOneDoc,
      { i: { userId: user.id, kind: 'PASSKEY', factorId: passkeyIds.Laptop } },
      officerToken,
    );
    expect(r.body.data.resetUserFactor).toEqual({ user: { id: user.id }, userErrors: [] });
    expect(await counts(user)).toEqual({ passkeys: ['Key'], apps: 1, codes: 10 });
    expect(await liveSessions(user)).toEqual([]);
    const events = await rt.services.db
      .selectFrom('audit_events')
      .select(['actor_id', 'target_id', 'changes'])
      .where('org_id', '=', org.id)
      .where('action', '=', 'user.mfa_factor_reset')
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor_id: officer.id, target_id: user.id });
    expect(events[0]!.changes).toMatchObject({
      kind: 'passkey',
      passkeyId: passkeyIds.Laptop,
      name: 'Laptop',
    });
    expect((events[0]!.changes as { sessionsEnded: number }).sessionsEnded).toBeGreaterThan(0);
    const mail = await rt.services.db
      .selectFrom('outbox_messages')
      .select(['subject', 'text_body'])
      .where('recipient_user_id', '=', user.id)
      .where('kind', '=', 'mfa_changed')
      .where('subject', '=', 'One of your second factors in Acme Factors was reset')
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain('the passkey “Laptop”');
    // The same passkey again: NOT_FOUND, nothing audited.
    const again = await gql(
      app,
      resetOneDoc,
      { i: { userId: user.id, kind: 'PASSKEY', factorId: passkeyIds.Laptop } },
      officerToken,
    );
    expect(codeOf(again.body.data.resetUserFactor)).toBe('NOT_FOUND');
  });

  it('the app goes with its recovery codes; the recovery codes can go alone', async () => {
    const { org, officerToken } = await setup();
    const a = await withFactors(org, ['Key']);
    const codesOnly = await gql(
      app,
      resetOneDoc,
      { i: { userId: a.user.id, kind: 'RECOVERY_CODES' } },
      officerToken,
    );
    expect(codeOf(codesOnly.body.data.resetUserFactor)).toBe('ok');
    expect(await counts(a.user)).toEqual({ passkeys: ['Key'], apps: 1, codes: 0 });
    const b = await withFactors(org, ['Key']);
    const appGone = await gql(
      app,
      resetOneDoc,
      { i: { userId: b.user.id, kind: 'AUTHENTICATOR_APP', factorId: b.totpId } },
      officerToken,
    );
    expect(codeOf(appGone.body.data.resetUserFactor)).toBe('ok');
    expect(await counts(b.user)).toEqual({ passkeys: ['Key'], apps: 0, codes: 0 });
  });

  it('refuses without security:manage, on a higher role, on oneself, another person’s factor, bad input', async () => {
    const { org, owner, officer, viewer, officerToken } = await setup();
    const { user, passkeyIds } = await withFactors(org, ['Laptop']);
    const viewerToken = (await signInAs(rt, app, viewer)).accessToken;
    const one = { userId: user.id, kind: 'PASSKEY', factorId: passkeyIds.Laptop };
    expect(codeOf((await gql(app, resetOneDoc, { i: one }, viewerToken)).body.data.resetUserFactor)).toBe(
      'FORBIDDEN',
    );
    // The target-role rule: a security officer may not reset an owner's factor (nor see whether it exists).
    const ownerKey = await rt.services.db
      .selectFrom('passkeys')
      .select('id')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    const onOwner = await gql(
      app,
      resetOneDoc,
      { i: { userId: owner.id, kind: 'PASSKEY', factorId: ownerKey.id } },
      officerToken,
    );
    expect(codeOf(onOwner.body.data.resetUserFactor)).toBe('FORBIDDEN');
    const self = await gql(
      app,
      resetOneDoc,
      { i: { userId: officer.id, kind: 'RECOVERY_CODES' } },
      officerToken,
    );
    expect(codeOf(self.body.data.resetUserFactor)).toBe('CANNOT_TARGET_SELF');
    // Someone else's passkey named for this user: NOT_FOUND.
    const other = await withFactors(org, ['Theirs'], false);
    const wrongOwner = await gql(
      app,
      resetOneDoc,
      { i: { userId: user.id, kind: 'PASSKEY', factorId: other.passkeyIds.Theirs } },
      officerToken,
    );
    expect(codeOf(wrongOwner.body.data.resetUserFactor)).toBe('NOT_FOUND');
    const noId = await gql(app, resetOneDoc, { i: { userId: user.id, kind: 'PASSKEY' } }, officerToken);
    expect(noId.body.data.resetUserFactor.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'factorId' },
    ]);
    // Nothing changed, nothing audited, the sessions live.
    expect(await counts(user)).toEqual({ passkeys: ['Laptop'], apps: 1, codes: 10 });
    expect(await counts(other.user)).toMatchObject({ passkeys: ['Theirs'] });
    expect((await liveSessions(user)).length).toBeGreaterThan(0);
    const audited = await rt.services.db
      .selectFrom('audit_events')
      .select('id')
      .where('org_id', '=', org.id)
      .where('action', '=', 'user.mfa_factor_reset')
      .execute();
    expect(audited).toEqual([]);
  });

  it('needs a recent authentication (step-up), like reset all', async () => {
    const { org, officerToken } = await setup();
    const { user, passkeyIds } = await withFactors(org, ['Laptop']);
    rt.clock.advance(11 * 60_000);
    const one = { userId: user.id, kind: 'PASSKEY', factorId: passkeyIds.Laptop };
    const stale = await gql(app, resetOneDoc, { i: one }, officerToken);
    expect(codeOf(stale.body.data.resetUserFactor)).toBe('REAUTHENTICATION_REQUIRED');
    const staleAll = await gql(app, resetAllDoc, { id: user.id }, officerToken);
    expect(codeOf(staleAll.body.data.resetUserFactors)).toBe('REAUTHENTICATION_REQUIRED');
    expect(await counts(user)).toEqual({ passkeys: ['Laptop'], apps: 1, codes: 10 });
    const re = await gql(app, reauthenticateDoc, { p: defaultTestPassword }, officerToken);
    const fresh = re.body.data.reauthenticate.accessToken;
    const ok = await gql(app, resetOneDoc, { i: one }, fresh);
    expect(codeOf(ok.body.data.resetUserFactor)).toBe('ok');
    expect(await counts(user)).toEqual({ passkeys: [], apps: 1, codes: 10 });
  });

  it('removing the last factor of a role that requires MFA restricts the next sign-in to enrolment', async () => {
    const { org, owner, officerToken } = await setup();
    const ownerToken = (await signInAs(rt, app, owner)).accessToken;
    const { user, passkeyIds } = await withFactors(org, ['Only key'], false);
    const set = await gql(
      app,
      settingsDoc,
      { i: { mfaRequiredRoles: ['INVESTIGATOR'], mfaGracePeriodDays: 0 } },
      ownerToken,
    );
    expect(set.body.data.updateOrganizationSettings.userErrors).toEqual([]);
    const reset = await gql(
      app,
      resetOneDoc,
      { i: { userId: user.id, kind: 'PASSKEY', factorId: passkeyIds['Only key'] } },
      officerToken,
    );
    expect(codeOf(reset.body.data.resetUserFactor)).toBe('ok');
    const r = await app.inject({
      method: 'POST',
      url: '/graphql',
      remoteAddress: freshIp(),
      payload: {
        query: signInDoc,
        variables: { i: { email: user.email, password: defaultTestPassword, organization: org.slug } },
      },
    });
    expect(r.json().data.signIn).toMatchObject({ mfaEnrolmentRequired: true, userErrors: [] });
  });
});
