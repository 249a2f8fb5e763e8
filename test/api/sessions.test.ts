import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { errorCodes } from '../../src/domain/errors.js';
import { sessionServices } from '../../src/domain/sessions/session-services.js';
import { hardLockUntil } from '../../src/domain/security/sign-in-throttle.js';
import { createOrg, createUser } from '../support/factories.js';
import { defaultTestPassword, freshIp, gql, signInAs, signInRequest } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Sign-in through GraphQL over HTTP: success, one answer for every failure, lockouts, aliases, organisations.

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

const password = defaultTestPassword;
const failedPayload = {
  accessToken: null,
  refreshToken: null,
  expiresAt: null,
  userErrors: [{ code: 'SIGN_IN_FAILED', message: errorCodes.SIGN_IN_FAILED }],
};

async function userRow(id: string) {
  return rt.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
async function auditActions(orgId: string) {
  const rows = await rt.services.db
    .selectFrom('audit_events')
    .select(['action', 'target_id', 'changes'])
    .where('org_id', '=', orgId)
    .orderBy('seq')
    .execute();
  return rows;
}

describe('password sign-in', () => {
  it('signs in: tokens, the viewer, last login, a session with the organisation’s lifetimes, an audit event', async () => {
    const org = await createOrg(rt.services);
    await rt.services.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ sessionIdleMinutes: 15, sessionAbsoluteHours: 12 }) })
      .where('id', '=', org.id)
      .execute();
    const user = await createUser(rt.services, org.id, { password });
    const now = rt.clock.now().getTime();

    const r = await signInRequest(app, { email: user.email.toUpperCase(), password }, freshIp());
    expect(r.payload.userErrors).toEqual([]);
    expect(r.payload.accessToken).toMatch(/^ey/);
    expect(new Date(r.payload.expiresAt).getTime()).toBe(
      Math.floor(now / 1000) * 1000 + rt.config.accessTokenTtlSeconds * 1000,
    );

    const viewer = await gql(app, '{ viewer { id lastLoginAt } }', undefined, r.payload.accessToken);
    expect(viewer.body.data.viewer).toEqual({ id: user.id, lastLoginAt: new Date(now).toISOString() });
    const sessions = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.idle_expires_at.getTime()).toBe(now + 15 * 60_000);
    expect(sessions[0]!.absolute_expires_at.getTime()).toBe(now + 12 * 3_600_000);
    expect(await auditActions(org.id)).toEqual([
      {
        action: 'session.signed_in',
        target_id: user.id,
        changes: { sessionId: sessions[0]!.id, method: 'password', amr: ['pwd'], acr: 'aal1' },
      },
    ]);
  });

  it('answers unknown email, wrong password, no password, suspended with a wrong password, deactivated and invited identically, each after a hash check', async () => {
    const org = await createOrg(rt.services);
    const active = await createUser(rt.services, org.id, { password });
    const suspended = await createUser(rt.services, org.id, { password, status: 'suspended' });
    const deactivated = await createUser(rt.services, org.id, { password, status: 'deactivated' });
    const invited = await createUser(rt.services, org.id, { status: 'invited' });
    const noPassword = await createUser(rt.services, org.id);
    const attempts = [
      { email: 'nobody-here@example.test', password },
      { email: active.email, password: `${password}!` },
      { email: noPassword.email, password },
      // A suspended account given its right password says so (suspended-sign-in.test.ts); a wrong one not.
      { email: suspended.email, password: `${password}!` },
      { email: deactivated.email, password },
      { email: invited.email, password },
      { email: active.email, password, organization: 'no-such-org' },
    ];
    for (const input of attempts) {
      const r = await signInRequest(app, input, freshIp());
      expect(r.status, input.email).toBe(200);
      expect(r.payload, input.email).toEqual(failedPayload);
      // argon2id with m = 19 MiB takes about 20 ms here; the shortcut paths would take well under 5.
      expect(r.ms, input.email).toBeGreaterThan(5);
    }
    // Known accounts count the failure and audit it; the unknown email leaves no trace anywhere.
    expect((await userRow(active.id)).failed_login_count).toBe(1);
    expect((await userRow(suspended.id)).failed_login_count).toBe(1);
    const failed = (await auditActions(org.id)).filter((e) => e.action === 'session.sign_in_failed');
    expect(failed.map((e) => [e.target_id, (e.changes as { reason: string }).reason])).toEqual([
      [active.id, 'wrong_password'],
      [noPassword.id, 'no_password'],
      [suspended.id, 'wrong_password'],
      [deactivated.id, 'not_active'],
      [invited.id, 'no_password'],
    ]);
    const ok = await signInRequest(app, { email: active.email, password }, freshIp());
    expect(ok.payload.accessToken).toBeTruthy();
    expect((await userRow(active.id)).failed_login_count).toBe(0);
  });

  it('locks an account after 5 failures for 1 minute, then 2, even for the right password; the wait ends by itself', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, { password });
    const wrong = { email: user.email, password: 'not the password at all' };
    const right = { email: user.email, password };
    for (let i = 0; i < 5; i++)
      expect((await signInRequest(app, wrong, freshIp())).payload).toEqual(failedPayload);
    const locked = await userRow(user.id);
    expect(locked.failed_login_count).toBe(5);
    expect(locked.locked_until?.getTime()).toBe(rt.clock.now().getTime() + 60_000);

    expect((await signInRequest(app, right, freshIp())).payload).toEqual(failedPayload);
    // Attempts during the wait are refused without counting (so an attacker cannot rush the hard lock).
    expect((await userRow(user.id)).failed_login_count).toBe(5);

    rt.clock.advance(61_000);
    expect((await signInRequest(app, wrong, freshIp())).payload).toEqual(failedPayload);
    expect((await userRow(user.id)).locked_until?.getTime()).toBe(rt.clock.now().getTime() + 120_000);
    rt.clock.advance(61_000);
    expect((await signInRequest(app, right, freshIp())).payload).toEqual(failedPayload);
    rt.clock.advance(60_000);
    const ok = await signInRequest(app, right, freshIp());
    expect(ok.payload.userErrors).toEqual([]);
    expect(await userRow(user.id)).toMatchObject({ failed_login_count: 0, locked_until: null });
  });

  it('counts concurrent guesses one by one: a burst cannot slip past the lockout', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, { password });
    const burst = Array.from({ length: 9 }, (_, i) =>
      signInRequest(app, { email: user.email, password: `wrong guess ${i} in a burst` }, freshIp()),
    );
    for (const r of await Promise.all(burst)) expect(r.payload).toEqual(failedPayload);
    // Five were tried (the fifth locked the account); the other four were refused untried.
    expect((await userRow(user.id)).failed_login_count).toBe(5);
    const tried = (await auditActions(org.id)).filter((e) => e.action === 'session.sign_in_failed');
    expect(tried).toHaveLength(5);
  });

  it('hard-locks after 100 consecutive failures, audited, until an administrator acts', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, { password });
    await rt.services.db
      .updateTable('users')
      .set({ failed_login_count: 99 })
      .where('id', '=', user.id)
      .execute();
    expect(
      (await signInRequest(app, { email: user.email, password: 'wrong wrong wrong' }, freshIp())).payload,
    ).toEqual(failedPayload);
    expect((await userRow(user.id)).locked_until?.getTime()).toBe(hardLockUntil.getTime());
    expect((await auditActions(org.id)).map((e) => e.action)).toEqual([
      'session.sign_in_failed',
      'user.sign_in_locked',
    ]);
    rt.clock.advance(30 * 86_400_000);
    expect((await signInRequest(app, { email: user.email, password }, freshIp())).payload).toEqual(
      failedPayload,
    );
  });

  it('throttles a source address after 20 failures whatever the accounts, without locking the accounts', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, { password });
    const ip = freshIp();
    for (let i = 0; i < 20; i++) {
      await signInRequest(app, { email: `guess-${i}@example.test`, password }, ip);
    }
    expect((await signInRequest(app, { email: user.email, password }, ip)).payload).toEqual(failedPayload);
    expect((await userRow(user.id)).failed_login_count).toBe(0);
    expect((await signInRequest(app, { email: user.email, password }, freshIp())).payload.userErrors).toEqual(
      [],
    );
    rt.clock.advance(61_000);
    expect((await signInRequest(app, { email: user.email, password }, ip)).payload.userErrors).toEqual([]);
    // A success gives its attempt back and does not lock the address again.
    expect((await signInRequest(app, { email: user.email, password }, ip)).payload.userErrors).toEqual([]);
    const source = await rt.services.db
      .selectFrom('sign_in_throttle')
      .selectAll()
      .where('source', '=', `ip:${ip}`)
      .executeTakeFirstOrThrow();
    expect(source.failures).toBe(20);
  });

  it('refuses a document that packs several signIn fields behind aliases, before any is tried', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, { password });
    const guesses = Array.from(
      { length: 3 },
      (_, i) =>
        `g${i}: signIn(input: { email: "${user.email}", password: "guess number ${i}" }) { accessToken }`,
    );
    const r = await gql(app, `mutation { ${guesses.join(' ')} }`);
    expect(r.body.errors[0].extensions.code).toBe('TOO_MANY_OPERATIONS');
    expect(r.body.data ?? null).toBeNull();
    expect((await userRow(user.id)).failed_login_count).toBe(0);
  });

  it('asks for the organisation only when the password is right for one of several accounts', async () => {
    const a = await createOrg(rt.services);
    const b = await createOrg(rt.services);
    const email = `shared-${Date.now()}@example.test`;
    const inA = await createUser(rt.services, a.id, { email, password });
    const inB = await createUser(rt.services, b.id, { email, password: 'another password for org b' });

    const wrong = await signInRequest(app, { email, password: 'neither of the two passwords' }, freshIp());
    expect(wrong.payload).toEqual(failedPayload);
    const ambiguous = await signInRequest(app, { email, password }, freshIp());
    expect(ambiguous.payload.userErrors).toEqual([
      { code: 'ORGANIZATION_REQUIRED', message: errorCodes.ORGANIZATION_REQUIRED },
    ]);
    expect(ambiguous.payload.accessToken).toBeNull();
    // The wrong guess counted against both accounts; the right password for A gives back only its own
    // attempt, so knowing A's password never wipes B's count.
    expect((await userRow(inA.id)).failed_login_count).toBe(1);
    expect((await userRow(inB.id)).failed_login_count).toBe(1);
    const named = await signInRequest(
      app,
      { email, password, organization: a.slug.toUpperCase() },
      freshIp(),
    );
    expect(named.payload.userErrors).toEqual([]);
    const viewer = await gql(app, '{ viewer { id } }', undefined, named.payload.accessToken);
    expect(viewer.body.data.viewer.id).toBe(inA.id);
    const wrongOrg = await signInRequest(app, { email, password, organization: b.slug }, freshIp());
    expect(wrongOrg.payload).toEqual(failedPayload);
  });

  it('records activity at most once per five minutes per session, off the request path', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id);
    const s = await signInAs(rt, app, user);
    const activity = sessionServices(rt.services).activity;
    rt.clock.advance(6 * 60_000);
    const seenAt = rt.clock.now();
    expect((await gql(app, '{ viewer { id } }', undefined, s.accessToken)).body.data.viewer.id).toBe(user.id);
    await expect.poll(async () => (await userRow(user.id)).last_active_at?.getTime()).toBe(seenAt.getTime());
    const session = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', s.sessionId)
      .executeTakeFirstOrThrow();
    expect(session.last_seen_at.getTime()).toBe(seenAt.getTime());
    rt.clock.advance(4 * 60_000);
    expect(activity.note(s.sessionId, user.id, org.id)).toBe(false);
    rt.clock.advance(60_000);
    expect(activity.note(s.sessionId, user.id, org.id)).toBe(true);
  });

  it('signInAs gives a user without a password one and returns its session', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id);
    const s = await signInAs(rt, app, user);
    const row = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', s.sessionId)
      .executeTakeFirstOrThrow();
    expect(row.user_id).toBe(user.id);
  });
});
