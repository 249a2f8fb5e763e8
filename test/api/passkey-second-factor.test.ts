import { decodeJwt } from 'jose';
import { sql } from 'kysely';
import { URI, type TOTP } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { passkeySignInRules } from '../../src/domain/passkeys/begin-passkey-sign-in.js';
import { throttleRules } from '../../src/domain/security/sign-in-throttle.js';
import { defaultTestPassword, freshIp, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// A passkey as the second step of a password sign-in, step-up with an app code or a passkey, and the
// per-source limit of passwordless ceremonies, through the real GraphQL API and @simplewebauthn/server
// with the software authenticator (test/support/soft-authenticator.ts).

let rt: TestRuntime;
let app: RosterServer;
let origin: string;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  origin = new URL(rt.config.publicUrl).origin;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});
beforeEach(async () => {
  await rt.services.db.deleteFrom('sign_in_throttle').execute();
  await rt.services.db.deleteFrom('password_reset_throttle').execute();
});

const beginRegDoc = `mutation { beginPasskeyRegistration { options userErrors { code } } }`;
const finishRegDoc = `mutation($i: FinishPasskeyRegistrationInput!) { finishPasskeyRegistration(input: $i) {
  passkey { id } userErrors { code } } }`;
const signInDoc = `mutation($i: SignInInput!) {
  signIn(input: $i) { accessToken mfaChallenge { id methods } userErrors { code } } }`;
const beginSecondDoc = `mutation($i: BeginSecondFactorPasskeyInput!) {
  beginSecondFactorPasskey(input: $i) { options expiresAt userErrors { code } } }`;
const completeDoc = `mutation($i: CompleteSignInInput!) {
  completeSignIn(input: $i) { accessToken refreshToken user { id } userErrors { code field } } }`;
const beginReauthDoc = `mutation { beginReauthenticationPasskey { options userErrors { code } } }`;
const reauthDoc = `mutation($i: ReauthenticateInput!) {
  reauthenticate(input: $i) { accessToken authenticatedAt userErrors { code field } } }`;
const beginPasswordlessDoc = `mutation { beginPasskeySignIn { ceremonyId userErrors { code } } }`;

async function post(
  query: string,
  variables: Record<string, unknown>,
  ip: string,
  token?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- GraphQL answers, checked by the tests
): Promise<any> {
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: ip,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    payload: { query, variables },
  });
  return r.json().data;
}

interface Person {
  user: UserRow;
  slug: string;
  auth: SoftAuthenticator;
  passkeyId: string;
  /** A session opened before the passkey (password alone). */
  token: string;
}

async function withPasskey(orgId?: string): Promise<Person> {
  const org = orgId
    ? await rt.services.db
        .selectFrom('organizations')
        .selectAll()
        .where('id', '=', orgId)
        .executeTakeFirstOrThrow()
    : await createOrg(rt.services);
  const user = await createUser(rt.services, org.id, { role: 'investigator', password: defaultTestPassword });
  const { accessToken } = await signInAs(rt, app, user);
  const auth = new SoftAuthenticator(origin);
  const begun = await gql(app, beginRegDoc, undefined, accessToken);
  const response = auth.createCredential(begun.body.data.beginPasskeyRegistration.options);
  const done = await gql(app, finishRegDoc, { i: { name: 'Key', response } }, accessToken);
  expect(done.body.data.finishPasskeyRegistration.userErrors).toEqual([]);
  return {
    user,
    slug: org.slug,
    auth,
    passkeyId: done.body.data.finishPasskeyRegistration.passkey.id,
    token: accessToken,
  };
}

async function passwordStep(p: { user: UserRow; slug: string }, ip: string) {
  const r = await post(
    signInDoc,
    { i: { email: p.user.email, password: defaultTestPassword, organization: p.slug } },
    ip,
  );
  return r.signIn as { accessToken: string | null; mfaChallenge: { id: string; methods: string[] } | null };
}

async function secondOptions(challengeId: string, ip: string) {
  const r = (await post(beginSecondDoc, { i: { challengeId } }, ip)).beginSecondFactorPasskey;
  return r as { options: never; userErrors: { code: string }[] };
}

const complete = async (i: Record<string, unknown>, ip: string) =>
  (await post(completeDoc, { i }, ip)).completeSignIn;

async function userRow(id: string) {
  return rt.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function enrolTotp(token: string): Promise<TOTP> {
  const begun = (await gql(app, 'mutation { beginTotpEnrolment { otpauthUri } }', undefined, token)).body
    .data;
  const totp = URI.parse(begun.beginTotpEnrolment.otpauthUri) as TOTP;
  const ok = await gql(
    app,
    'mutation($c: String!) { confirmTotpEnrolment(input: { code: $c }) { userErrors { code } } }',
    { c: totp.generate({ timestamp: rt.clock.now().getTime() }) },
    token,
  );
  expect(ok.body.data.confirmTotpEnrolment.userErrors).toEqual([]);
  rt.clock.advance(30_000); // the enrolment's step is spent
  return totp;
}

describe('a passkey as the second factor of a password sign-in', () => {
  it('offers WEBAUTHN, gives options for the person’s own passkeys, and opens a session at aal2 with pwd+hwk', async () => {
    const p = await withPasskey();
    const ip = freshIp();
    const first = await passwordStep(p, ip);
    expect(first.accessToken).toBeNull();
    expect(first.mfaChallenge!.methods).toEqual(['WEBAUTHN']);

    const begun = await secondOptions(first.mfaChallenge!.id, ip);
    expect(begun.userErrors).toEqual([]);
    const options = begun.options as {
      allowCredentials: { id: string }[];
      userVerification: string;
      rpId: string;
    };
    const row = await rt.services.db
      .selectFrom('passkeys')
      .selectAll()
      .where('id', '=', p.passkeyId)
      .executeTakeFirstOrThrow();
    expect(options.allowCredentials.map((c) => c.id)).toEqual([row.credential_id]);
    expect(options.userVerification).toBe('required');
    expect(options.rpId).toBe(new URL(rt.config.publicUrl).hostname);

    const done = await complete(
      { challengeId: first.mfaChallenge!.id, webauthnAssertion: p.auth.getAssertion(begun.options) },
      ip,
    );
    expect(done.userErrors).toEqual([]);
    expect(done.user.id).toBe(p.user.id);
    const claims = decodeJwt(done.accessToken);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    expect(claims.acr).toBe('aal2');
    const session = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', claims.sid as string)
      .executeTakeFirstOrThrow();
    expect(session.auth_method).toBe('password_passkey');
    const after = await rt.services.db
      .selectFrom('passkeys')
      .selectAll()
      .where('id', '=', p.passkeyId)
      .executeTakeFirstOrThrow();
    expect(after.sign_count).toBe(1);
    expect(after.last_used_at?.getTime()).toBe(rt.clock.now().getTime());
    // The MFA challenge is used: its options cannot be asked for again.
    expect((await secondOptions(first.mfaChallenge!.id, ip)).userErrors[0]!.code).toBe(
      'MFA_CHALLENGE_INVALID',
    );
  });

  it('refuses a wrong credential, a passkey of another user, and a replayed or foreign challenge; each counts', async () => {
    const p = await withPasskey();
    const other = await withPasskey();
    const ip = freshIp();
    const first = await passwordStep(p, ip);
    const challengeId = first.mfaChallenge!.id;
    const failures = async () => (await userRow(p.user.id)).failed_login_count;
    const before = await failures();

    // Another person's passkey, answering this person's options: not one of theirs.
    const o1 = await secondOptions(challengeId, ip);
    const foreign = other.auth.getAssertion(o1.options);
    const r1 = await complete({ challengeId, webauthnAssertion: foreign }, ip);
    expect(r1.userErrors).toEqual([{ code: 'PASSKEY_VERIFICATION_FAILED', field: 'webauthnAssertion' }]);
    expect(await failures()).toBe(before + 1);

    // The options of a refused attempt are spent: the right passkey must ask for new ones.
    const replayed = await complete({ challengeId, webauthnAssertion: p.auth.getAssertion(o1.options) }, ip);
    expect(replayed.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
    expect(await failures()).toBe(before + 2);

    // A wrong credential (a key the server never saw), and a signature that does not verify.
    const stranger = new SoftAuthenticator(origin);
    stranger.createCredential({
      rp: { id: new URL(rt.config.publicUrl).hostname, name: 'x' },
      user: { id: 'eA', name: 'x', displayName: 'x' },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      challenge: 'AAAA',
    } as never);
    const o2 = await secondOptions(challengeId, ip);
    const r2 = await complete({ challengeId, webauthnAssertion: stranger.getAssertion(o2.options) }, ip);
    expect(r2.userErrors[0].code).toBe('PASSKEY_VERIFICATION_FAILED');
    expect(await failures()).toBe(before + 3);

    // Options of another person's sign-in do not fit this one (bound to their MFA challenge).
    const theirs = await passwordStep(other, ip);
    const o3 = await secondOptions(theirs.mfaChallenge!.id, ip);
    const r3 = await complete({ challengeId, webauthnAssertion: p.auth.getAssertion(o3.options) }, ip);
    expect(r3.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
    expect(await failures()).toBe(before + 4);

    // The fifth attempt, right: the challenge still had one left, and it signs in.
    const o4 = await secondOptions(challengeId, ip);
    const ok = await complete({ challengeId, webauthnAssertion: p.auth.getAssertion(o4.options) }, ip);
    expect(ok.userErrors).toEqual([]);
    expect(await failures()).toBe(0);
    // The same assertion again, on a new sign-in: its challenge is gone.
    const again = await passwordStep(p, ip);
    const r5 = await complete(
      { challengeId: again.mfaChallenge!.id, webauthnAssertion: p.auth.getAssertion(o4.options) },
      ip,
    );
    expect(r5.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
  });

  it('locks the account after as many failed passkey steps as wrong codes would', async () => {
    const p = await withPasskey();
    const ip = freshIp();
    const other = new SoftAuthenticator(origin);
    other.createCredential({
      rp: { id: new URL(rt.config.publicUrl).hostname, name: 'x' },
      user: { id: 'eA', name: 'x', displayName: 'x' },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      challenge: 'AAAA',
    } as never);
    for (let i = 0; i < throttleRules.accountFreeFailures; i++) {
      const first = await passwordStep(p, ip);
      const o = await secondOptions(first.mfaChallenge!.id, ip);
      const r = await complete(
        { challengeId: first.mfaChallenge!.id, webauthnAssertion: other.getAssertion(o.options) },
        ip,
      );
      expect(r.userErrors[0].code).toBe('PASSKEY_VERIFICATION_FAILED');
    }
    const row = await userRow(p.user.id);
    expect(row.failed_login_count).toBe(throttleRules.accountFreeFailures);
    expect(row.locked_until!.getTime()).toBeGreaterThan(rt.clock.now().getTime());
    const reasons = await rt.services.db
      .selectFrom('audit_events')
      .select(sql<string>`changes->>'reason'`.as('reason'))
      .where('target_id', '=', p.user.id)
      .where('action', '=', 'session.sign_in_failed')
      .execute();
    expect(reasons.map((r) => r.reason)).toEqual(
      Array(throttleRules.accountFreeFailures).fill('second_factor'),
    );
    // Locked: the right password no longer gets a challenge.
    const locked = await passwordStep(p, ip);
    expect(locked.mfaChallenge).toBeNull();
    expect(
      (
        await post(
          signInDoc,
          { i: { email: p.user.email, password: defaultTestPassword, organization: p.slug } },
          ip,
        )
      ).signIn.userErrors[0].code,
    ).toBe('SIGN_IN_FAILED');
    // The source counted every failure too.
    const source = await rt.services.db
      .selectFrom('sign_in_throttle')
      .selectAll()
      .where('source', '=', `ip:${ip}`)
      .executeTakeFirstOrThrow();
    expect(source.failures).toBeGreaterThanOrEqual(throttleRules.accountFreeFailures);
  });

  it('with an app and a passkey offers both; a phishing-resistant role is offered and accepts only the passkey', async () => {
    const p = await withPasskey();
    const totp = await enrolTotp(p.token);
    const ip = freshIp();
    const first = await passwordStep(p, ip);
    expect(first.mfaChallenge!.methods).toEqual(['TOTP', 'RECOVERY_CODE', 'WEBAUTHN']);

    await rt.services.db
      .updateTable('organizations')
      .set({ settings: sql`settings || '{"mfaPhishingResistantRoles": ["investigator"]}'::jsonb` })
      .where('slug', '=', p.slug)
      .execute();
    const strict = await passwordStep(p, ip);
    expect(strict.mfaChallenge!.methods).toEqual(['WEBAUTHN']);
    const code = totp.generate({ timestamp: rt.clock.now().getTime() });
    const refused = await complete({ challengeId: strict.mfaChallenge!.id, totpCode: code }, ip);
    expect(refused.userErrors).toEqual([{ code: 'MFA_METHOD_NOT_AVAILABLE', field: 'totpCode' }]);
    expect((await userRow(p.user.id)).failed_login_count).toBe(0); // not a guess: not counted
    const o = await secondOptions(strict.mfaChallenge!.id, ip);
    const ok = await complete(
      { challengeId: strict.mfaChallenge!.id, webauthnAssertion: p.auth.getAssertion(o.options) },
      ip,
    );
    expect(ok.userErrors).toEqual([]);
    expect(decodeJwt(ok.accessToken).acr).toBe('aal2');
  });

  it('gives no passkey options to a person without one', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, {
      role: 'investigator',
      password: defaultTestPassword,
    });
    const s = await signInAs(rt, app, user);
    await enrolTotp(s.accessToken);
    const ip = freshIp();
    const first = await passwordStep({ user, slug: org.slug }, ip);
    expect(first.mfaChallenge!.methods).toEqual(['TOTP', 'RECOVERY_CODE']);
    expect((await secondOptions(first.mfaChallenge!.id, ip)).userErrors[0]!.code).toBe(
      'MFA_METHOD_NOT_AVAILABLE',
    );
    expect((await secondOptions('not-a-challenge', ip)).userErrors[0]!.code).toBe('MFA_CHALLENGE_INVALID');
  });
});

describe('step-up with a factor', () => {
  it('accepts an app code once (a replay is refused and counts), and records otp in amr', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, {
      role: 'investigator',
      password: defaultTestPassword,
    });
    const s = await signInAs(rt, app, user);
    const totp = await enrolTotp(s.accessToken);
    const ip = freshIp();
    rt.clock.advance(60_000); // a minute on: auth_time moves
    const code = totp.generate({ timestamp: rt.clock.now().getTime() });
    const ok = (await post(reauthDoc, { i: { totpCode: code } }, ip, s.accessToken)).reauthenticate;
    expect(ok.userErrors).toEqual([]);
    expect(new Date(ok.authenticatedAt).getTime()).toBe(rt.clock.now().getTime());
    expect(decodeJwt(ok.accessToken).amr).toEqual(['pwd', 'otp']);
    const replay = (await post(reauthDoc, { i: { totpCode: code } }, ip, s.accessToken)).reauthenticate;
    expect(replay.userErrors).toEqual([{ code: 'MFA_CODE_INVALID', field: 'totpCode' }]);
    expect((await userRow(user.id)).failed_login_count).toBe(1);
    const both = (
      await post(reauthDoc, { i: { totpCode: code, password: defaultTestPassword } }, ip, s.accessToken)
    ).reauthenticate;
    expect(both.userErrors[0].code).toBe('VALIDATION_FAILED');
    // Someone without a passkey gets no passkey options.
    const none = (await post(beginReauthDoc, {}, ip, s.accessToken)).beginReauthenticationPasskey;
    expect(none.userErrors[0].code).toBe('MFA_METHOD_NOT_AVAILABLE');
  });

  it('accepts a passkey for options bound to this session, once; another session’s options and other people’s passkeys are refused', async () => {
    const p = await withPasskey();
    const other = await withPasskey();
    const ip = freshIp();
    rt.clock.advance(60_000); // a minute on: auth_time moves
    const begun = (await post(beginReauthDoc, {}, ip, p.token)).beginReauthenticationPasskey;
    expect(begun.userErrors).toEqual([]);
    const assertion = p.auth.getAssertion(begun.options);
    const ok = (await post(reauthDoc, { i: { passkeyAssertion: assertion } }, ip, p.token)).reauthenticate;
    expect(ok.userErrors).toEqual([]);
    expect(decodeJwt(ok.accessToken).amr).toEqual(['pwd', 'hwk', 'user']);
    expect(new Date(ok.authenticatedAt).getTime()).toBe(rt.clock.now().getTime());
    const audited = await rt.services.db
      .selectFrom('audit_events')
      .select(sql<string>`changes->>'method'`.as('method'))
      .where('target_id', '=', p.user.id)
      .where('action', '=', 'session.reauthenticated')
      .execute();
    expect(audited.map((a) => a.method)).toEqual(['passkey']);

    // Single use.
    const replay = (await post(reauthDoc, { i: { passkeyAssertion: assertion } }, ip, p.token))
      .reauthenticate;
    expect(replay.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
    // Options begun by another session of the same person do not fit this one.
    const second = await finishPasswordless(p);
    const theirs = (await post(beginReauthDoc, {}, ip, second)).beginReauthenticationPasskey;
    const r1 = (
      await post(reauthDoc, { i: { passkeyAssertion: p.auth.getAssertion(theirs.options) } }, ip, p.token)
    ).reauthenticate;
    expect(r1.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
    // Another person's passkey answering this session's options.
    const mine = (await post(beginReauthDoc, {}, ip, p.token)).beginReauthenticationPasskey;
    const r2 = (
      await post(reauthDoc, { i: { passkeyAssertion: other.auth.getAssertion(mine.options) } }, ip, p.token)
    ).reauthenticate;
    expect(r2.userErrors).toEqual([{ code: 'PASSKEY_VERIFICATION_FAILED', field: 'passkeyAssertion' }]);
    // The replay counted 1, the passwordless sign-in between started the count again, then these two.
    expect((await userRow(p.user.id)).failed_login_count).toBe(2);
  });
});

async function finishPasswordless(p: Person): Promise<string> {
  const b = (await post('mutation { beginPasskeySignIn { ceremonyId options } }', {}, freshIp()))
    .beginPasskeySignIn;
  const r = await post(
    'mutation($i: FinishPasskeySignInInput!) { finishPasskeySignIn(input: $i) { accessToken userErrors { code } } }',
    { i: { ceremonyId: b.ceremonyId, response: p.auth.getAssertion(b.options) } },
    freshIp(),
  );
  expect(r.finishPasskeySignIn.userErrors).toEqual([]);
  return r.finishPasskeySignIn.accessToken;
}

describe('beginPasskeySignIn is limited per source', () => {
  it('answers TOO_MANY_REQUESTS past the limit, writes no row then, and not for another source or after the window', async () => {
    const ip = freshIp();
    for (let i = 0; i < passkeySignInRules.perSource; i++) {
      expect((await post(beginPasswordlessDoc, {}, ip)).beginPasskeySignIn.userErrors).toEqual([]);
    }
    const count = async () =>
      Number(
        (
          await rt.services.db
            .selectFrom('webauthn_challenges')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const rows = await count();
    const over = (await post(beginPasswordlessDoc, {}, ip)).beginPasskeySignIn;
    expect(over).toEqual({ ceremonyId: null, userErrors: [{ code: 'TOO_MANY_REQUESTS' }] });
    expect(await count()).toBe(rows);
    expect((await post(beginPasswordlessDoc, {}, freshIp())).beginPasskeySignIn.userErrors).toEqual([]);
    rt.clock.advance(passkeySignInRules.windowMs + 1);
    expect((await post(beginPasswordlessDoc, {}, ip)).beginPasskeySignIn.userErrors).toEqual([]);
  });
});
