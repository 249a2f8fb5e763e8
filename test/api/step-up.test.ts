import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { isPrivilegedRole } from '../../src/authz/privileged-roles.js';
import { roleKeys } from '../../src/authz/roles.js';
import { deactivateUser } from '../../src/domain/users/deactivate-user.js';
import { defaultTestPassword, gql, signInAs } from '../support/auth.js';
import { contextFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Step-up (issue 12): sensitive actions need an authentication of the session within the organisation's
// window (default 10 minutes); `reauthenticate` moves the session's auth_time without a new session.
// Session policy: privileged roles' shorter lifetimes, and the per-person session limit.

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  // Access tokens outlive the window here, so an old authentication is what is refused, not the token.
  rt = await openTestRuntime({ ACCESS_TOKEN_TTL_SECONDS: '3600' });
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const minutes = (n: number) => n * 60_000;

const reauthenticateDoc = `mutation($p: String!) { reauthenticate(input: { password: $p }) {
  accessToken expiresAt authenticatedAt userErrors { code field message } } }`;
const changeRoleDoc = `mutation($id: ID!, $role: RoleKey!) { changeUserRole(input: { userId: $id, role: $role }) {
  user { role } userErrors { code } } }`;
const deactivateDoc = `mutation($id: ID!) { deactivateUser(input: { userId: $id, reason: "left" }) {
  user { status } userErrors { code } } }`;
const settingsDoc = `mutation($i: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $i) {
  organization { reauthenticationWindowMinutes maxSessionsPerUser } userErrors { code field } } }`;

async function setup() {
  const s = rt.services;
  const org = await createOrg(s);
  // A second owner: the organisation stays owned whatever the tests do.
  await createUser(s, org.id, { role: 'owner' });
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const signedIn = await signInAs(rt, app, admin);
  return { org, admin, ...signedIn };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const codeOf = (payload: any): string => payload?.userErrors?.[0]?.code ?? 'ok';

async function reauthenticate(token: string, password = defaultTestPassword) {
  const r = await gql(app, reauthenticateDoc, { p: password }, token);
  expect(r.body.errors).toBeUndefined();
  return r.body.data.reauthenticate;
}

async function userRow(id: string): Promise<UserRow> {
  return rt.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('privileged roles', () => {
  it('are those holding security:manage, organization:update or ownership', () => {
    expect(roleKeys.filter(isPrivilegedRole)).toEqual(['owner', 'administrator', 'security_officer']);
  });
});

describe('step-up', () => {
  it('a role change to or from a privileged role is refused after the window, allowed after reauthenticate', async () => {
    const { org, accessToken } = await setup();
    const target = await createUser(rt.services, org.id, { role: 'viewer' });
    rt.clock.advance(minutes(11));

    // Not privileged either side: no step-up.
    const plain = await gql(app, changeRoleDoc, { id: target.id, role: 'ANALYST' }, accessToken);
    expect(codeOf(plain.body.data.changeUserRole)).toBe('ok');

    const before = await userRow(target.id);
    const up = await gql(app, changeRoleDoc, { id: target.id, role: 'ADMINISTRATOR' }, accessToken);
    expect(codeOf(up.body.data.changeUserRole)).toBe('REAUTHENTICATION_REQUIRED');
    expect(await userRow(target.id)).toEqual(before);

    const re = await reauthenticate(accessToken);
    expect(re.userErrors).toEqual([]);
    expect(decodeJwt(re.accessToken).auth_time).toBe(Math.floor(rt.clock.now().getTime() / 1000));
    const upAgain = await gql(app, changeRoleDoc, { id: target.id, role: 'ADMINISTRATOR' }, re.accessToken);
    expect(upAgain.body.data.changeUserRole).toEqual({ user: { role: 'ADMINISTRATOR' }, userErrors: [] });

    // Out of a privileged role, once a shorter window (the organisation's setting) has passed; the old
    // token works once the session is re-authenticated (the check reads the session, not the token).
    await rt.services.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ reauthenticationWindowMinutes: 1 }) })
      .where('id', '=', org.id)
      .execute();
    rt.clock.advance(minutes(1) + 1000);
    const down = await gql(app, changeRoleDoc, { id: target.id, role: 'VIEWER' }, accessToken);
    expect(codeOf(down.body.data.changeUserRole)).toBe('REAUTHENTICATION_REQUIRED');
    expect((await reauthenticate(accessToken)).userErrors).toEqual([]);
    const downAgain = await gql(app, changeRoleDoc, { id: target.id, role: 'VIEWER' }, accessToken);
    expect(codeOf(downAgain.body.data.changeUserRole)).toBe('ok');
  });

  it('deactivation is refused after the window, allowed after reauthenticate; the CLI is exempt', async () => {
    const { org, admin, accessToken } = await setup();
    const target = await createUser(rt.services, org.id, { role: 'viewer' });
    // Just inside the window: allowed.
    rt.clock.advance(minutes(10));
    const other = await createUser(rt.services, org.id, { role: 'viewer' });
    const inside = await gql(app, deactivateDoc, { id: other.id }, accessToken);
    expect(codeOf(inside.body.data.deactivateUser)).toBe('ok');

    rt.clock.advance(1000);
    const refused = await gql(app, deactivateDoc, { id: target.id }, accessToken);
    expect(codeOf(refused.body.data.deactivateUser)).toBe('REAUTHENTICATION_REQUIRED');
    expect((await userRow(target.id)).status).toBe('active');

    const re = await reauthenticate(accessToken);
    const done = await gql(app, deactivateDoc, { id: target.id }, re.accessToken);
    expect(done.body.data.deactivateUser).toEqual({ user: { status: 'DEACTIVATED' }, userErrors: [] });

    // An operator at the CLI acts as the system: no session, no step-up.
    const third = await createUser(rt.services, org.id, { role: 'viewer' });
    rt.clock.advance(minutes(60));
    const cli = contextFor(rt.services, { type: 'system', orgId: org.id, name: 'cli' });
    expect((await deactivateUser(cli, { userId: third.id, reason: 'cli' })).status).toBe('deactivated');
    expect(admin.id).toBeTruthy();
  });

  it('security settings need a recent authentication; other settings do not; the window is a setting', async () => {
    const { accessToken } = await setup();
    rt.clock.advance(minutes(11));
    const ttl = await gql(app, settingsDoc, { i: { invitationTtlDays: 9 } }, accessToken);
    expect(codeOf(ttl.body.data.updateOrganizationSettings)).toBe('ok');
    for (const i of [
      { minPasswordLength: 20 },
      { sessionIdleMinutes: 30 },
      { endSessionsOnPasswordChange: false },
      { reauthenticationWindowMinutes: 60 },
      { maxSessionsPerUser: 3 },
      { sessionPrivilegedIdleMinutes: 10 },
    ]) {
      const r = await gql(app, settingsDoc, { i }, accessToken);
      expect({ i, code: codeOf(r.body.data.updateOrganizationSettings) }).toEqual({
        i,
        code: 'REAUTHENTICATION_REQUIRED',
      });
    }
    await reauthenticate(accessToken);
    const bounds = await gql(app, settingsDoc, { i: { reauthenticationWindowMinutes: 0 } }, accessToken);
    expect(bounds.body.data.updateOrganizationSettings.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'reauthenticationWindowMinutes' },
    ]);
    const set = await gql(app, settingsDoc, { i: { reauthenticationWindowMinutes: 60 } }, accessToken);
    expect(set.body.data.updateOrganizationSettings).toEqual({
      organization: { reauthenticationWindowMinutes: 60, maxSessionsPerUser: 10 },
      userErrors: [],
    });
    // Now 30 minutes is recent enough.
    rt.clock.advance(minutes(30));
    const later = await gql(app, settingsDoc, { i: { minPasswordLength: 20 } }, accessToken);
    expect(codeOf(later.body.data.updateOrganizationSettings)).toBe('ok');
  });

  it('the audit export answers 401 with an RFC 9470 challenge after the window, and works after reauthenticate', async () => {
    const { accessToken } = await setup();
    const get = (token: string) =>
      app.inject({
        method: 'GET',
        url: '/api/audit/export?format=jsonl',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await get(accessToken)).statusCode).toBe(200);
    rt.clock.advance(minutes(11));
    const refused = await get(accessToken);
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=600',
    );
    expect(refused.json().error.code).toBe('REAUTHENTICATION_REQUIRED');
    const re = await reauthenticate(accessToken);
    expect((await get(re.accessToken)).statusCode).toBe(200);
  });

  it('reauthenticate: audited, same session, and a wrong password counts like a failed sign-in', async () => {
    const { org, admin, accessToken, sessionId } = await setup();
    rt.clock.advance(minutes(11));
    const wrong = await reauthenticate(accessToken, 'not the password at all');
    expect(wrong.accessToken).toBeNull();
    expect(wrong.userErrors).toEqual([
      { code: 'CURRENT_PASSWORD_INCORRECT', field: 'password', message: expect.any(String) },
    ]);
    expect((await userRow(admin.id)).failed_login_count).toBe(1);
    const failures = await rt.services.db
      .selectFrom('audit_events')
      .select(['action', 'changes'])
      .where('org_id', '=', org.id)
      .where('action', '=', 'session.sign_in_failed')
      .execute();
    expect(failures).toHaveLength(1);

    const sessionsBefore = await rt.services.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', admin.id)
      .execute();
    const re = await reauthenticate(accessToken);
    expect(re.userErrors).toEqual([]);
    expect(decodeJwt(re.accessToken).sid).toBe(sessionId);
    expect(new Date(re.authenticatedAt).getTime()).toBe(rt.clock.now().getTime());
    // The success starts the failure count again (consecutive failures), and no session was added.
    expect((await userRow(admin.id)).failed_login_count).toBe(0);
    const sessionsAfter = await rt.services.db
      .selectFrom('sessions')
      .select(['id', 'auth_time', 'amr'])
      .where('user_id', '=', admin.id)
      .execute();
    expect(sessionsAfter.map((x) => x.id)).toEqual(sessionsBefore.map((x) => x.id));
    expect(sessionsAfter[0]!.auth_time.getTime()).toBe(rt.clock.now().getTime());
    const audited = await rt.services.db
      .selectFrom('audit_events')
      .select(['action', 'actor_id', 'target_id', 'changes'])
      .where('org_id', '=', org.id)
      .where('action', '=', 'session.reauthenticated')
      .execute();
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      actor_id: admin.id,
      target_id: admin.id,
      changes: { sessionId, method: 'password', amr: ['pwd'] },
    });
  });

  it('a locked account is not tried: the right password is refused while locked', async () => {
    const { admin, accessToken } = await setup();
    await rt.services.db
      .updateTable('users')
      .set({ failed_login_count: 7, locked_until: new Date(rt.clock.now().getTime() + minutes(60)) })
      .where('id', '=', admin.id)
      .execute();
    const r = await reauthenticate(accessToken);
    expect(r.userErrors[0].code).toBe('CURRENT_PASSWORD_INCORRECT');
    expect(r.userErrors[0].message).toMatch(/Too many failed attempts/);
    expect((await userRow(admin.id)).failed_login_count).toBe(7);
  });
});

describe('session policy', () => {
  it('privileged roles get the shorter lifetimes (defaults 15 min / 12 h, configurable, capped by everyone’s)', async () => {
    const { org, admin, sessionId } = await setup();
    const session = (id: string) =>
      rt.services.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const a = await session(sessionId);
    expect(a.idle_expires_at.getTime() - a.created_at.getTime()).toBe(minutes(15));
    expect(a.absolute_expires_at.getTime() - a.created_at.getTime()).toBe(minutes(12 * 60));

    const viewer = await createUser(rt.services, org.id, { role: 'viewer' });
    const v = await session((await signInAs(rt, app, viewer)).sessionId);
    expect(v.idle_expires_at.getTime() - v.created_at.getTime()).toBe(minutes(60));
    expect(v.absolute_expires_at.getTime() - v.created_at.getTime()).toBe(minutes(24 * 60));

    await rt.services.db
      .updateTable('organizations')
      .set({
        settings: JSON.stringify({
          sessionPrivilegedIdleMinutes: 30,
          sessionPrivilegedAbsoluteHours: 48,
          sessionAbsoluteHours: 20,
        }),
      })
      .where('id', '=', org.id)
      .execute();
    const b = await session((await signInAs(rt, app, admin)).sessionId);
    expect(b.idle_expires_at.getTime() - b.created_at.getTime()).toBe(minutes(30));
    // 48 h asked for privileged roles, but everyone's is 20 h: the shorter applies.
    expect(b.absolute_expires_at.getTime() - b.created_at.getTime()).toBe(minutes(20 * 60));
  });

  it('a user moved into a privileged role gets its lifetimes from the next refresh', async () => {
    const { org } = await setup();
    const viewer = await createUser(rt.services, org.id, { role: 'viewer' });
    const s = await signInAs(rt, app, viewer);
    await rt.services.db
      .updateTable('users')
      .set({ role: 'administrator' })
      .where('id', '=', viewer.id)
      .execute();
    rt.clock.advance(minutes(5));
    const r = await gql(
      app,
      'mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken userErrors { code } } }',
      { t: s.refreshToken },
    );
    expect(r.body.data.refreshSession.userErrors).toEqual([]);
    const row = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', s.sessionId)
      .executeTakeFirstOrThrow();
    expect(row.idle_expires_at.getTime()).toBe(rt.clock.now().getTime() + minutes(15));
    expect(row.absolute_expires_at.getTime() - row.created_at.getTime()).toBe(minutes(12 * 60));
  });

  it('the 11th sign-in ends the oldest session (limit 10), its token fails at once, audited', async () => {
    const { org } = await setup();
    const user = await createUser(rt.services, org.id, { role: 'viewer' });
    const signIns = [];
    for (let i = 0; i < 11; i++) {
      signIns.push(await signInAs(rt, app, user));
      rt.clock.advance(1000);
    }
    const live = await rt.services.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toHaveLength(10);
    expect(live.map((x) => x.id)).not.toContain(signIns[0]!.sessionId);
    const first = await gql(app, '{ viewer { id } }', undefined, signIns[0]!.accessToken);
    expect(first.body.data.viewer).toBeNull();
    const second = await gql(app, '{ viewer { id } }', undefined, signIns[1]!.accessToken);
    expect(second.body.data.viewer).toEqual({ id: user.id });
    const ended = await rt.services.db
      .selectFrom('audit_events')
      .select(['actor_id', 'target_id', 'changes'])
      .where('org_id', '=', org.id)
      .where('action', '=', 'session.ended_by_limit')
      .execute();
    expect(ended).toEqual([
      {
        actor_id: user.id,
        target_id: user.id,
        changes: { sessionIds: [signIns[0]!.sessionId], maxSessionsPerUser: 10 },
      },
    ]);
  });

  it('a lower limit ends every session beyond it at the next sign-in', async () => {
    const { org } = await setup();
    const user = await createUser(rt.services, org.id, { role: 'viewer' });
    const signIns = [];
    for (let i = 0; i < 4; i++) {
      signIns.push(await signInAs(rt, app, user));
      rt.clock.advance(1000);
    }
    await rt.services.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ maxSessionsPerUser: 2 }) })
      .where('id', '=', org.id)
      .execute();
    const newest = await signInAs(rt, app, user);
    const live = await rt.services.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .orderBy('created_at')
      .execute();
    expect(live.map((x) => x.id)).toEqual([signIns[3]!.sessionId, newest.sessionId]);
  });
});
