import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { personalTokenRateLimit } from '../../src/domain/api-credentials/token-rate-limit.js';
import type { UserRow } from '../../src/db/schema.js';
import { defaultTestPassword, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * Personal API tokens over HTTP, the way a script uses them: made once in the console (a session),
 * then `Authorization: Bearer rst_pat_…` on /graphql. The token acts as min(its permissions, the
 * owner's current role) and dies the moment its owner is suspended, deactivated or loses api:access.
 */
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

const create = `mutation($i: CreatePersonalApiTokenInput!) { createPersonalApiToken(input: $i) {
  secret token { id name permissions expiresAt } userErrors { code field } } }`;

async function setUp() {
  const org = await createOrg(rt.services);
  const owner = await createUser(rt.services, org.id, { role: 'owner' });
  const ownerSession = await signInAs(rt, app, owner);
  return { org, owner, ownerToken: ownerSession.accessToken };
}

async function tokenFor(user: UserRow, input: Record<string, unknown> = {}) {
  const { accessToken } = await signInAs(rt, app, user);
  const r = await gql(app, create, { i: { name: 'script', ...input } }, accessToken);
  const p = r.body.data.createPersonalApiToken;
  expect(p.userErrors, JSON.stringify(r.body)).toEqual([]);
  return { secret: p.secret as string, id: p.token.id as string, accessToken };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function codeOf(body: any, field: string): string {
  return body.errors?.[0]?.extensions?.code ?? body.data?.[field]?.userErrors?.[0]?.code ?? 'ok';
}

describe('personal API tokens', () => {
  it('is shown once, stored as a hash, and works on GraphQL as its owner', async () => {
    const { org } = await setUp();
    const investigator = await createUser(rt.services, org.id, { role: 'investigator' });
    const { secret, id } = await tokenFor(investigator);
    expect(secret).toMatch(/^rst_pat_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    const row = await rt.services.db
      .selectFrom('personal_api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secret.slice(-43));
    expect(row.permissions).toBeNull();

    const me = await gql(app, '{ viewer { id } }', undefined, secret);
    expect(me.body.data.viewer.id).toBe(investigator.id);
    const listed = await gql(app, '{ myPersonalApiTokens { id name live } }', undefined, secret);
    expect(listed.body.data.myPersonalApiTokens).toEqual([{ id, name: 'script', live: true }]);
    expect(JSON.stringify(listed.body)).not.toContain(secret.slice(-43));
    // a tampered secret answers like an unknown one
    const wrong = await gql(app, '{ myPersonalApiTokens { id } }', undefined, secret.slice(0, -1) + 'x');
    expect(codeOf(wrong.body, 'myPersonalApiTokens')).toBe('UNAUTHENTICATED');
    expect(wrong.body.errors[0].message).toMatch(/API token is not valid/);
  });

  it('needs api:access to make one', async () => {
    const { org } = await setUp();
    const viewer = await createUser(rt.services, org.id, { role: 'viewer' });
    const { accessToken } = await signInAs(rt, app, viewer);
    const r = await gql(app, create, { i: { name: 'x' } }, accessToken);
    expect(codeOf(r.body, 'createPersonalApiToken')).toBe('FORBIDDEN');
  });

  it('stops at once when its owner is suspended, and stays dead after a reactivation', async () => {
    const { org, ownerToken } = await setUp();
    const investigator = await createUser(rt.services, org.id, { role: 'investigator' });
    const { secret } = await tokenFor(investigator);
    expect((await gql(app, '{ viewer { id } }', undefined, secret)).body.data.viewer.id).toBe(
      investigator.id,
    );
    const s = await gql(
      app,
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: "leak" }) { userErrors { code } } }',
      { id: investigator.id },
      ownerToken,
    );
    expect(s.body.data.suspendUser.userErrors).toEqual([]);
    const after = await gql(app, '{ myPersonalApiTokens { id } }', undefined, secret);
    expect(codeOf(after.body, 'myPersonalApiTokens')).toBe('UNAUTHENTICATED');
    await gql(
      app,
      'mutation($id: ID!) { reactivateUser(input: { userId: $id }) { userErrors { code } } }',
      { id: investigator.id },
      ownerToken,
    );
    const revived = await gql(app, '{ myPersonalApiTokens { id } }', undefined, secret);
    expect(codeOf(revived.body, 'myPersonalApiTokens')).toBe('UNAUTHENTICATED');
  });

  it('stops at once when its owner is suspended directly in the database (checked on every use)', async () => {
    const { org } = await setUp();
    const investigator = await createUser(rt.services, org.id, { role: 'investigator' });
    const { secret } = await tokenFor(investigator);
    await rt.services.db
      .updateTable('users')
      .set({ status: 'suspended' })
      .where('id', '=', investigator.id)
      .execute();
    expect(
      codeOf(
        (await gql(app, '{ myPersonalApiTokens { id } }', undefined, secret)).body,
        'myPersonalApiTokens',
      ),
    ).toBe('UNAUTHENTICATED');
  });

  it('stops when its owner loses api:access, and follows a narrower role', async () => {
    const { org, ownerToken } = await setUp();
    const admin = await createUser(rt.services, org.id, { role: 'administrator' });
    const { secret } = await tokenFor(admin);
    expect(
      codeOf((await gql(app, '{ users(first: 1) { nodes { id } } }', undefined, secret)).body, 'users'),
    ).toBe('ok');
    const r = await gql(
      app,
      'mutation($id: ID!) { changeUserRole(input: { userId: $id, role: VIEWER }) { userErrors { code } } }',
      { id: admin.id },
      ownerToken,
    );
    expect(r.body.data.changeUserRole.userErrors).toEqual([]);
    expect(codeOf((await gql(app, '{ viewer { id } }', undefined, secret)).body, 'viewer')).toBe('ok');
    const v = await gql(app, '{ viewer { id } }', undefined, secret);
    expect(v.body.data.viewer).toBeNull();
  });

  it('never holds more than its own list nor its owner, and cannot reach credentials or step-up', async () => {
    const { org } = await setUp();
    const admin = await createUser(rt.services, org.id, { role: 'administrator' });
    const target = await createUser(rt.services, org.id, { role: 'viewer' });
    const narrow = await tokenFor(admin, { permissions: ['USERS_READ'] });
    expect(narrow.secret).toBeTruthy();
    expect(
      codeOf(
        (await gql(app, '{ users(first: 1) { nodes { id } } }', undefined, narrow.secret)).body,
        'users',
      ),
    ).toBe('ok');
    const suspend =
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: "x" }) { userErrors { code } } }';
    expect(codeOf((await gql(app, suspend, { id: target.id }, narrow.secret)).body, 'suspendUser')).toBe(
      'FORBIDDEN',
    );
    expect(
      codeOf(
        (await gql(app, '{ auditEvents(first: 1) { edges { node { id } } } }', undefined, narrow.secret))
          .body,
        'auditEvents',
      ),
    ).toBe('FORBIDDEN');

    // a list naming a permission the owner lacks is refused
    const investigator = await createUser(rt.services, org.id, { role: 'investigator' });
    const { accessToken } = await signInAs(rt, app, investigator);
    const tooMuch = await gql(app, create, { i: { name: 'x', permissions: ['USERS_SUSPEND'] } }, accessToken);
    expect(codeOf(tooMuch.body, 'createPersonalApiToken')).toBe('PERMISSION_NOT_HELD');

    // the full token of an administrator: acts, audited as a personal token of its owner
    const full = await tokenFor(admin);
    expect(codeOf((await gql(app, suspend, { id: target.id }, full.secret)).body, 'suspendUser')).toBe('ok');
    const [event] = await rt.services.db
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id'])
      .where('org_id', '=', org.id)
      .where('action', '=', 'user.suspended')
      .execute();
    expect(event).toEqual({ actor_type: 'personal_token', actor_id: admin.id });

    // ... but issues no credential, passes no step-up, changes no password or factor
    const deactivate =
      'mutation($id: ID!) { deactivateUser(input: { userId: $id, reason: "x" }) { userErrors { code } } }';
    expect(codeOf((await gql(app, deactivate, { id: target.id }, full.secret)).body, 'deactivateUser')).toBe(
      'SESSION_REQUIRED',
    );
    expect(
      codeOf((await gql(app, create, { i: { name: 'child' } }, full.secret)).body, 'createPersonalApiToken'),
    ).toBe('SESSION_REQUIRED');
    const scim = `mutation { createScimToken(input: { name: "x", scopes: [USERS], maxRole: VIEWER }) { secret userErrors { code } } }`;
    expect(codeOf((await gql(app, scim, undefined, full.secret)).body, 'createScimToken')).toBe(
      'SESSION_REQUIRED',
    );
    const reauth = `mutation($p: String!) { reauthenticate(input: { password: $p }) { accessToken userErrors { code } } }`;
    expect(
      codeOf((await gql(app, reauth, { p: defaultTestPassword }, full.secret)).body, 'reauthenticate'),
    ).toBe('UNAUTHENTICATED');
    const change = `mutation($p: String!) { changeMyPassword(input: { currentPassword: $p, newPassword: "another long passphrase 99" }) { userErrors { code } } }`;
    expect(
      codeOf((await gql(app, change, { p: defaultTestPassword }, full.secret)).body, 'changeMyPassword'),
    ).toBe('UNAUTHENTICATED');
    expect(
      codeOf(
        (
          await gql(
            app,
            'mutation { beginTotpEnrolment { otpauthUri userErrors { code } } }',
            undefined,
            full.secret,
          )
        ).body,
        'beginTotpEnrolment',
      ),
    ).toBe('UNAUTHENTICATED');
    expect(
      codeOf(
        (
          await gql(
            app,
            'mutation { beginPasskeyRegistration { options userErrors { code } } }',
            undefined,
            full.secret,
          )
        ).body,
        'beginPasskeyRegistration',
      ),
    ).toBe('UNAUTHENTICATED');
  });

  it('expires, is revoked by its owner, and nobody else can revoke it', async () => {
    const { org, ownerToken } = await setUp();
    const investigator = await createUser(rt.services, org.id, { role: 'investigator' });
    const short = await tokenFor(investigator, { expiresInDays: 1 });
    const other = await tokenFor(investigator);
    const revoke =
      'mutation($id: ID!) { revokePersonalApiToken(input: { id: $id }) { token { revokedAt } userErrors { code } } }';
    // the owner of the organisation does not see it
    expect(
      codeOf((await gql(app, revoke, { id: other.id }, ownerToken)).body, 'revokePersonalApiToken'),
    ).toBe('NOT_FOUND');
    expect(
      codeOf((await gql(app, revoke, { id: other.id }, other.accessToken)).body, 'revokePersonalApiToken'),
    ).toBe('ok');
    expect(codeOf((await gql(app, '{ viewer { id } }', undefined, other.secret)).body, 'viewer')).toBe('ok');
    expect((await gql(app, '{ viewer { id } }', undefined, other.secret)).body.data.viewer).toBeNull();
    rt.clock.advance(86_400_000 + 1000);
    const expired = await gql(app, '{ myPersonalApiTokens { id } }', undefined, short.secret);
    expect(codeOf(expired.body, 'myPersonalApiTokens')).toBe('UNAUTHENTICATED');
  });

  it('is rate-limited: RATE_LIMITED with Retry-After', async () => {
    const { org } = await setUp();
    const investigator = await createUser(rt.services, org.id, { role: 'investigator' });
    const { secret } = await tokenFor(investigator);
    for (let i = 0; i < personalTokenRateLimit.burst; i += 1) {
      const r = await gql(app, '{ viewer { id } }', undefined, secret);
      expect(r.body.data.viewer.id).toBe(investigator.id);
    }
    const r = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { authorization: `Bearer ${secret}` },
      payload: { query: '{ myPersonalApiTokens { id } }' },
    });
    expect(r.headers['retry-after']).toBe('1');
    expect(r.json().errors[0].extensions).toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterSeconds: 1 },
    });
    rt.clock.advance(1000);
    expect((await gql(app, '{ viewer { id } }', undefined, secret)).body.data.viewer.id).toBe(
      investigator.id,
    );
  });

  it('answers every read as its owner does, and a narrowed one only within its list', async () => {
    const { org } = await setUp();
    const reads: Record<string, string> = {
      users: '{ users(first: 1) { nodes { id } } }',
      auditEvents: '{ auditEvents(first: 1) { edges { node { id } } } }',
      roles: '{ roles { key } }',
      departments: '{ departments { id } }',
      costReport: '{ costReport { asOf } }',
      scimTokens: '{ scimTokens { id } }',
      outboxMessages: '{ outboxMessages(first: 1) { edges { node { id } } } }',
    };
    for (const role of ['owner', 'administrator', 'investigator'] as const) {
      const person = await createUser(rt.services, org.id, { role });
      const full = await tokenFor(person);
      const narrow = await tokenFor(person, {
        permissions: [role === 'investigator' ? 'DOCUMENTS_READ' : 'ROLES_READ'],
      });
      for (const [field, doc] of Object.entries(reads)) {
        const bySession = codeOf((await gql(app, doc, undefined, full.accessToken)).body, field);
        const byToken = codeOf((await gql(app, doc, undefined, full.secret)).body, field);
        expect({ role, field, byToken }).toEqual({ role, field, byToken: bySession });
        const byNarrow = codeOf((await gql(app, doc, undefined, narrow.secret)).body, field);
        const expected = field === 'roles' && bySession === 'ok' ? 'ok' : 'FORBIDDEN';
        expect({ role, field, byNarrow }).toEqual({ role, field, byNarrow: expected });
      }
    }
  });

  it('stops once the organisation enforces a second factor its owner has not set up', async () => {
    const { org } = await setUp();
    const investigator = await createUser(rt.services, org.id, { role: 'investigator' });
    const { secret } = await tokenFor(investigator);
    await rt.services.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ mfaRequiredRoles: ['investigator'], mfaGracePeriodDays: 0 }) })
      .where('id', '=', org.id)
      .execute();
    const r = await gql(app, '{ myPersonalApiTokens { id } }', undefined, secret);
    expect(codeOf(r.body, 'myPersonalApiTokens')).toBe('UNAUTHENTICATED');
    expect(r.body.errors[0].message).toMatch(/requires a second factor/);
  });
});
