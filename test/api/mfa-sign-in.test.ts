import { decodeJwt } from 'jose';
import { Secret, TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { confirmedTotpFactorOf } from '../../src/domain/mfa/factors.js';
import { spendTotpCode } from '../../src/domain/mfa/spend-totp.js';
import { throttleRules } from '../../src/domain/security/sign-in-throttle.js';
import { defaultTestPassword, freshIp, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// TOTP enrolment, the two-step sign-in over GraphQL, replay, concurrency, recovery codes and lockout.

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

const beginDoc = `mutation { beginTotpEnrolment { otpauthUri secret userErrors { code } } }`;
const confirmDoc = `mutation($i: ConfirmTotpEnrolmentInput!) {
  confirmTotpEnrolment(input: $i) { factor { kind name lastUsedAt } recoveryCodes userErrors { code field } } }`;
const signInDoc = `mutation($i: SignInInput!) {
  signIn(input: $i) { accessToken refreshToken mfaChallenge { id methods expiresAt } userErrors { code } } }`;
const completeDoc = `mutation($i: CompleteSignInInput!) {
  completeSignIn(input: $i) { accessToken refreshToken user { id } userErrors { code field message } } }`;
const meDoc = `{ viewer { mfaFactors { kind name createdAt lastUsedAt } recoveryCodesRemaining minPasswordLength } }`;

async function post(query: string, variables: Record<string, unknown>, ip: string, token?: string) {
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: ip,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    payload: { query, variables },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return r.json() as any;
}

/** The code the person's app shows at the server's (manual) clock, computed by otpauth in the test. */
const codeNow = (totp: TOTP, offsetSteps = 0) =>
  totp.generate({ timestamp: rt.clock.now().getTime() + offsetSteps * 30_000 });

async function enrolled(): Promise<{ user: UserRow; slug: string; totp: TOTP; recoveryCodes: string[] }> {
  const org = await createOrg(rt.services, 'Acme MFA');
  const user = await createUser(rt.services, org.id, { role: 'investigator' });
  const s = await signInAs(rt, app, user);
  const begun = (await gql(app, beginDoc, undefined, s.accessToken)).body.data.beginTotpEnrolment;
  expect(begun.userErrors).toEqual([]);
  const totp = URI.parse(begun.otpauthUri) as TOTP;
  expect(totp.issuer).toBe('Acme MFA');
  expect(totp.label).toBe(user.email);
  expect(totp.secret.base32).toBe(begun.secret);
  // A wrong first code does not confirm.
  const wrong = await gql(
    app,
    confirmDoc,
    { i: { code: '000000' === codeNow(totp) ? '111111' : '000000' } },
    s.accessToken,
  );
  expect(wrong.body.data.confirmTotpEnrolment.userErrors).toEqual([
    { code: 'MFA_CODE_INVALID', field: 'code' },
  ]);
  const ok = await gql(app, confirmDoc, { i: { code: codeNow(totp), name: 'Phone' } }, s.accessToken);
  const p = ok.body.data.confirmTotpEnrolment;
  expect(p.userErrors).toEqual([]);
  expect(p.factor).toMatchObject({ kind: 'TOTP', name: 'Phone' });
  expect(p.recoveryCodes).toHaveLength(10);
  // The secret is sealed at rest: the base32 secret appears nowhere in the row.
  const row = await rt.services.db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  expect(row.secret_sealed).not.toContain(begun.secret);
  expect(row.secret_sealed.startsWith('v1.')).toBe(true);
  return { user, slug: org.slug, totp, recoveryCodes: p.recoveryCodes };
}

async function firstStep(user: UserRow, slug: string, ip: string) {
  const r = await post(
    signInDoc,
    { i: { email: user.email, password: defaultTestPassword, organization: slug } },
    ip,
  );
  return r.data.signIn;
}

describe('two-step sign-in', () => {
  it('after enrolment the password gives a challenge, the code a session with amr otp and aal2', async () => {
    const { user, slug, totp } = await enrolled();
    const me = await signInAs(rt, app, user).catch((e: Error) => e);
    expect(me).toBeInstanceOf(Error); // signInAs expects tokens from the password alone: there are none now
    rt.clock.advance(30_000); // the enrolment's code step is spent
    const ip = freshIp();
    const first = await firstStep(user, slug, ip);
    expect(first.accessToken).toBeNull();
    expect(first.mfaChallenge.methods).toEqual(['TOTP', 'RECOVERY_CODE']);
    expect(new Date(first.mfaChallenge.expiresAt).getTime() - rt.clock.now().getTime()).toBe(5 * 60_000);
    const done = (
      await post(completeDoc, { i: { challengeId: first.mfaChallenge.id, totpCode: codeNow(totp) } }, ip)
    ).data.completeSignIn;
    expect(done.userErrors).toEqual([]);
    expect(done.user.id).toBe(user.id);
    const claims = decodeJwt(done.accessToken);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe('aal2');
    const session = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', String(claims.sid))
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({ auth_method: 'totp', acr: 'aal2' });
    // The challenge is single use.
    const again = (
      await post(completeDoc, { i: { challengeId: first.mfaChallenge.id, totpCode: codeNow(totp) } }, ip)
    ).data.completeSignIn;
    expect(again.userErrors[0].code).toBe('MFA_CHALLENGE_INVALID');
    // The viewer sees the factor, its last use and the recovery codes left; with MFA NIST's floor is 8.
    const viewer = (await gql(app, meDoc, undefined, done.accessToken)).body.data.viewer;
    expect(viewer.mfaFactors).toEqual([expect.objectContaining({ kind: 'TOTP', name: 'Phone' })]);
    expect(viewer.mfaFactors[0].lastUsedAt).not.toBeNull();
    expect(viewer.recoveryCodesRemaining).toBe(10);
    expect(viewer.minPasswordLength).toBe(8);
  });

  it('refuses a replayed code and any earlier step, even with a new challenge', async () => {
    const { user, slug, totp } = await enrolled();
    rt.clock.advance(60_000);
    const ip = freshIp();
    const c1 = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const code = codeNow(totp);
    expect(
      (await post(completeDoc, { i: { challengeId: c1, totpCode: code } }, ip)).data.completeSignIn
        .userErrors,
    ).toEqual([]);
    const c2 = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const replay = (await post(completeDoc, { i: { challengeId: c2, totpCode: code } }, ip)).data
      .completeSignIn;
    expect(replay.userErrors).toEqual([
      expect.objectContaining({ code: 'MFA_CODE_INVALID', field: 'totpCode' }),
    ]);
    // The previous step's code is within the window but earlier than the spent one: refused.
    const earlier = (await post(completeDoc, { i: { challengeId: c2, totpCode: codeNow(totp, -1) } }, ip))
      .data.completeSignIn;
    expect(earlier.userErrors[0].code).toBe('MFA_CODE_INVALID');
    // The next step's code works.
    rt.clock.advance(30_000);
    expect(
      (await post(completeDoc, { i: { challengeId: c2, totpCode: codeNow(totp) } }, ip)).data.completeSignIn
        .userErrors,
    ).toEqual([]);
    // Failures were counted on the account (2), then the success started the count again.
    const row = await rt.services.db
      .selectFrom('users')
      .select('failed_login_count')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.failed_login_count).toBe(0);
  });

  it('50 parallel submissions of one valid code: exactly one is accepted', async () => {
    const { user, totp } = await enrolled();
    rt.clock.advance(30_000);
    const factor = (await confirmedTotpFactorOf(rt.services.db, user))!;
    const code = codeNow(totp);
    const now = rt.clock.now();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => spendTotpCode(rt.services.db, rt.services.config, factor, code, now)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('50 parallel completeSignIn with one code on one challenge: one session', async () => {
    const { user, slug, totp } = await enrolled();
    rt.clock.advance(30_000);
    const ip = freshIp();
    const challengeId = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const code = codeNow(totp);
    const all = await Promise.all(
      Array.from({ length: 50 }, () => post(completeDoc, { i: { challengeId, totpCode: code } }, ip)),
    );
    const ok = all.filter((r) => r.data.completeSignIn.accessToken);
    expect(ok).toHaveLength(1);
    const sessions = await rt.services.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('auth_method', '=', 'totp')
      .execute();
    expect(sessions).toHaveLength(1);
  });

  it('wrong codes count toward the account lockout; the challenge dies after 5 attempts', async () => {
    const { user, slug, totp } = await enrolled();
    rt.clock.advance(30_000);
    const ip = freshIp();
    const challengeId = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const good = codeNow(totp);
    const bad = good === '123456' ? '654321' : '123456';
    for (let i = 1; i <= 5; i++) {
      const r = (await post(completeDoc, { i: { challengeId, totpCode: bad } }, ip)).data.completeSignIn;
      expect(r.userErrors[0].code).toBe('MFA_CODE_INVALID');
    }
    const audited = await rt.services.db
      .selectFrom('audit_events')
      .select('changes')
      .where('target_id', '=', user.id)
      .where('action', '=', 'session.sign_in_failed')
      .execute();
    expect(audited.map((e) => e.changes)).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ reason: 'second_factor', consecutiveFailures: n })),
    );
    const row = await rt.services.db
      .selectFrom('users')
      .select(['failed_login_count', 'locked_until'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.failed_login_count).toBe(throttleRules.accountFreeFailures);
    expect(row.locked_until!.getTime()).toBeGreaterThan(rt.clock.now().getTime());
    // Locked: the right code on a new challenge is not even tried, and the password step fails too.
    const first = await firstStep(user, slug, ip);
    expect(first.userErrors[0].code).toBe('SIGN_IN_FAILED');
    const dead = (await post(completeDoc, { i: { challengeId, totpCode: good } }, ip)).data.completeSignIn;
    expect(dead.userErrors[0].code).toBe('MFA_CHALLENGE_INVALID');
    // The lockout passes; a correct password does NOT clear the count (only a full sign-in does).
    rt.clock.advance(throttleRules.baseWaitMs + 1_000);
    const fresh = await firstStep(user, slug, ip);
    expect(fresh.mfaChallenge).not.toBeNull();
    const after = await rt.services.db
      .selectFrom('users')
      .select('failed_login_count')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(after.failed_login_count).toBe(throttleRules.accountFreeFailures);
    const done = (
      await post(completeDoc, { i: { challengeId: fresh.mfaChallenge.id, totpCode: codeNow(totp) } }, ip)
    ).data.completeSignIn;
    expect(done.userErrors).toEqual([]);
  });

  it('an expired challenge is refused', async () => {
    const { user, slug, totp } = await enrolled();
    rt.clock.advance(30_000);
    const ip = freshIp();
    const challengeId = (await firstStep(user, slug, ip)).mfaChallenge.id;
    rt.clock.advance(5 * 60_000 + 1);
    const r = (await post(completeDoc, { i: { challengeId, totpCode: codeNow(totp) } }, ip)).data
      .completeSignIn;
    expect(r.userErrors[0].code).toBe('MFA_CHALLENGE_INVALID');
    rt.clock.advance(-5 * 60_000); // keep the clock near real time for token checks
  });

  it('a recovery code signs in once (amr otp, auth_method recovery_code) and is audited', async () => {
    const { user, slug, recoveryCodes } = await enrolled();
    const ip = freshIp();
    const code = recoveryCodes[3]!;
    const c1 = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const done = (await post(completeDoc, { i: { challengeId: c1, recoveryCode: code.toUpperCase() } }, ip))
      .data.completeSignIn;
    expect(done.userErrors).toEqual([]);
    const claims = decodeJwt(done.accessToken);
    expect(claims).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' });
    const session = await rt.services.db
      .selectFrom('sessions')
      .select('auth_method')
      .where('id', '=', String(claims.sid))
      .executeTakeFirstOrThrow();
    expect(session.auth_method).toBe('recovery_code');
    const c2 = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const reuse = (await post(completeDoc, { i: { challengeId: c2, recoveryCode: code } }, ip)).data
      .completeSignIn;
    expect(reuse.userErrors[0]).toMatchObject({ code: 'MFA_CODE_INVALID', field: 'recoveryCode' });
    const other = (await post(completeDoc, { i: { challengeId: c2, recoveryCode: recoveryCodes[4] } }, ip))
      .data.completeSignIn;
    expect(other.userErrors).toEqual([]);
    const used = await rt.services.db
      .selectFrom('audit_events')
      .select('id')
      .where('target_id', '=', user.id)
      .where('action', '=', 'user.recovery_code_used')
      .execute();
    expect(used).toHaveLength(2);
    const viewer = (await gql(app, meDoc, undefined, other.accessToken)).body.data.viewer;
    expect(viewer.recoveryCodesRemaining).toBe(8);
  });

  it('regenerating recovery codes kills the old ones; removing the app makes sign-in one step again', async () => {
    const { user, slug, totp, recoveryCodes } = await enrolled();
    const ip = freshIp();
    const c = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const s = (await post(completeDoc, { i: { challengeId: c, recoveryCode: recoveryCodes[0] } }, ip)).data
      .completeSignIn;
    const regen = await gql(
      app,
      `mutation { regenerateRecoveryCodes { recoveryCodes userErrors { code } } }`,
      undefined,
      s.accessToken,
    );
    const fresh: string[] = regen.body.data.regenerateRecoveryCodes.recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh.some((x) => recoveryCodes.includes(x))).toBe(false);
    const c2 = (await firstStep(user, slug, ip)).mfaChallenge.id;
    const old = (await post(completeDoc, { i: { challengeId: c2, recoveryCode: recoveryCodes[1] } }, ip)).data
      .completeSignIn;
    expect(old.userErrors[0].code).toBe('MFA_CODE_INVALID');

    const removeDoc = `mutation($i: RemoveTotpFactorInput!) { removeTotpFactor(input: $i) { ok userErrors { code field } } }`;
    const wrongPw = await post(
      removeDoc,
      { i: { currentPassword: 'not the password at all' } },
      ip,
      s.accessToken,
    );
    expect(wrongPw.data.removeTotpFactor.userErrors).toEqual([
      { code: 'CURRENT_PASSWORD_INCORRECT', field: 'currentPassword' },
    ]);
    rt.clock.advance(30_000);
    const removed = await post(removeDoc, { i: { code: codeNow(totp) } }, ip, s.accessToken);
    expect(removed.data.removeTotpFactor).toEqual({ ok: true, userErrors: [] });
    const one = await firstStep(user, slug, ip);
    expect(one.accessToken).toBeTruthy();
    expect(one.mfaChallenge).toBeNull();
    const left = await rt.services.db
      .selectFrom('mfa_recovery_codes')
      .select('id')
      .where('user_id', '=', user.id)
      .execute();
    expect(left).toEqual([]);

    // The person was emailed each change: added, regenerated, removed.
    const mails = await rt.services.db
      .selectFrom('outbox_messages')
      .select(['kind', 'subject'])
      .where('recipient_user_id', '=', user.id)
      .where('kind', '=', 'mfa_changed')
      .orderBy('created_at')
      .execute();
    expect(mails.map((m) => m.subject)).toEqual([
      'An authenticator app was added to your account in Acme MFA',
      'New recovery codes for your account in Acme MFA',
      'The authenticator app was removed from your account in Acme MFA',
    ]);
  });

  it('an administrator resets a user’s factors: sessions end, sign-in is one step, the user is told', async () => {
    const { user, slug } = await enrolled();
    const officer = await createUser(rt.services, user.org_id, { role: 'security_officer' });
    const owner = await createUser(rt.services, user.org_id, { role: 'owner' });
    const officerSession = await signInAs(rt, app, officer);
    const ip = freshIp();
    const c = (await firstStep(user, slug, ip)).mfaChallenge.id;
    rt.clock.advance(30_000);
    const factorsDoc = `query($id: ID!) { user(id: $id) { mfaFactors { kind name } } }`;
    const seen = await gql(app, factorsDoc, { id: user.id }, officerSession.accessToken);
    expect(seen.body.data.user.mfaFactors).toEqual([{ kind: 'TOTP', name: 'Phone' }]);
    const resetDoc = `mutation($id: ID!) { resetUserFactors(input: { userId: $id }) { user { id } userErrors { code } } }`;
    // The target-role rule: a security officer cannot reset an owner's factors.
    const refused = await gql(app, resetDoc, { id: owner.id }, officerSession.accessToken);
    expect(refused.body.data.resetUserFactors.userErrors).toEqual([{ code: 'FORBIDDEN' }]);
    const userSessions = await rt.services.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(userSessions.length).toBeGreaterThan(0);
    const r = await gql(app, resetDoc, { id: user.id }, officerSession.accessToken);
    expect(r.body.data.resetUserFactors).toEqual({ user: { id: user.id }, userErrors: [] });
    const live = await rt.services.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
    // The unfinished challenge died with the factors; the password alone signs in again.
    const dead = (await post(completeDoc, { i: { challengeId: c, recoveryCode: 'aaaa-aaaa-aaaa-aaaa' } }, ip))
      .data.completeSignIn;
    expect(dead.userErrors[0].code).toBe('MFA_CHALLENGE_INVALID');
    const one = await firstStep(user, slug, ip);
    expect(one.accessToken).toBeTruthy();
    const mail = await rt.services.db
      .selectFrom('outbox_messages')
      .select('subject')
      .where('recipient_user_id', '=', user.id)
      .where('kind', '=', 'mfa_changed')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(mail.subject).toBe('Your second factors in Acme MFA were reset');
    // The user sees no one else's factors.
    const other = await gql(app, factorsDoc, { id: officer.id }, one.accessToken);
    expect(other.body.data?.user?.mfaFactors ?? null).toBeNull();
  });

  it('a second enrolment while confirmed is refused; a pending one is replaced', async () => {
    const org = await createOrg(rt.services);
    const other = await createUser(rt.services, org.id);
    const s = await signInAs(rt, app, other);
    const a = (await gql(app, beginDoc, undefined, s.accessToken)).body.data.beginTotpEnrolment;
    const b = (await gql(app, beginDoc, undefined, s.accessToken)).body.data.beginTotpEnrolment;
    expect(a.secret).not.toBe(b.secret);
    const first = new TOTP({ secret: Secret.fromBase32(a.secret) });
    const r = await gql(
      app,
      confirmDoc,
      { i: { code: first.generate({ timestamp: rt.clock.now().getTime() }) } },
      s.accessToken,
    );
    expect(r.body.data.confirmTotpEnrolment.userErrors[0].code).toBe('MFA_CODE_INVALID');
    const second = new TOTP({ secret: Secret.fromBase32(b.secret) });
    const ok = await gql(
      app,
      confirmDoc,
      { i: { code: second.generate({ timestamp: rt.clock.now().getTime() }) } },
      s.accessToken,
    );
    expect(ok.body.data.confirmTotpEnrolment.userErrors).toEqual([]);
    const again = (await gql(app, beginDoc, undefined, s.accessToken)).body.data.beginTotpEnrolment;
    expect(again.userErrors).toEqual([{ code: 'MFA_ALREADY_ENROLLED' }]);
  });
});
