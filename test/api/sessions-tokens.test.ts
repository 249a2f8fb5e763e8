import { createHmac, randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/api/http/authenticate.js';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { decryptPrivateKey } from '../../src/domain/keys/key-encryption.js';
import { rotateSigningKey } from '../../src/domain/keys/rotate-signing-key.js';
import type { KyselyPlugin } from 'kysely';
import {
  AccessTokenVerifier,
  accessTokenAudience,
  accessTokenClockSkewSeconds,
} from '../../src/domain/sessions/access-token.js';
import { createOrg, createUser } from '../support/factories.js';
import { gql, signInAs } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Access tokens, revocation on every request, refresh rotation, and signing keys; GraphQL over HTTP.

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

const viewerQuery = '{ viewer { id } }';
async function viewerOf(token: string) {
  const r = await gql(app, '{ viewer { id } organization { id } }', undefined, token);
  return { id: r.body.data?.viewer?.id ?? null, error: r.body.errors?.[0] ?? null };
}
const refreshMutation = `mutation($t: String!) {
  refreshSession(input: { refreshToken: $t }) { accessToken refreshToken expiresAt userErrors { code } }
}`;
async function refresh(token: string) {
  return (await gql(app, refreshMutation, { t: token })).body.data.refreshSession;
}
async function newUser(role: 'viewer' | 'administrator' | 'security_officer' = 'viewer') {
  const org = await createOrg(rt.services);
  return createUser(rt.services, org.id, { role });
}

describe('revocation on every request', () => {
  it('refuses a signed-out session on its very next request, though the token has not expired', async () => {
    const user = await newUser();
    const s = await signInAs(rt, app, user);
    expect((await viewerOf(s.accessToken)).id).toBe(user.id);
    const out = await gql(app, 'mutation { signOut { ok userErrors { code } } }', undefined, s.accessToken);
    expect(out.body.data.signOut).toEqual({ ok: true, userErrors: [] });
    const after = await viewerOf(s.accessToken);
    expect(after.id).toBeNull();
    expect(after.error.extensions.code).toBe('UNAUTHENTICATED');
    expect(after.error.message).toBe('The session has ended. Sign in again.');
    expect((await refresh(s.refreshToken)).userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
  });

  it('revokeUserSessions: self always, others with users:revoke_sessions (audited), else FORBIDDEN', async () => {
    const admin = await newUser('security_officer');
    const target = await createUser(rt.services, admin.org_id);
    const bystander = await createUser(rt.services, admin.org_id);
    const a = await signInAs(rt, app, admin);
    const t1 = await signInAs(rt, app, target);
    const t2 = await signInAs(rt, app, target);
    const b = await signInAs(rt, app, bystander);
    const m = `mutation($u: ID!, $s: ID) { revokeUserSessions(input: { userId: $u, sessionId: $s }) {
      revokedCount userErrors { code } } }`;

    const denied = await gql(app, m, { u: target.id }, b.accessToken);
    expect(denied.body.data.revokeUserSessions).toEqual({
      revokedCount: null,
      userErrors: [{ code: 'FORBIDDEN' }],
    });
    expect((await viewerOf(t1.accessToken)).id).toBe(target.id);

    const one = await gql(app, m, { u: target.id, s: t1.sessionId }, a.accessToken);
    expect(one.body.data.revokeUserSessions).toEqual({ revokedCount: 1, userErrors: [] });
    expect((await viewerOf(t1.accessToken)).id).toBeNull();
    expect((await viewerOf(t2.accessToken)).id).toBe(target.id);

    const self = await gql(app, m, { u: bystander.id }, b.accessToken);
    expect(self.body.data.revokeUserSessions.revokedCount).toBe(1);
    expect((await viewerOf(b.accessToken)).id).toBeNull();

    const other = await newUser();
    const missing = await gql(app, m, { u: other.id }, a.accessToken);
    expect(missing.body.data.revokeUserSessions.userErrors).toEqual([{ code: 'NOT_FOUND' }]);

    const events = await rt.services.db
      .selectFrom('audit_events')
      .select(['action', 'actor_id', 'target_id', 'changes'])
      .where('org_id', '=', admin.org_id)
      .where('action', '=', 'user.sessions_revoked')
      .orderBy('seq')
      .execute();
    expect(events).toEqual([
      {
        action: 'user.sessions_revoked',
        actor_id: admin.id,
        target_id: target.id,
        changes: { sessionIds: [t1.sessionId] },
      },
      {
        action: 'user.sessions_revoked',
        actor_id: bystander.id,
        target_id: bystander.id,
        changes: { sessionIds: [b.sessionId] },
      },
    ]);
  });

  it('refuses every session of a user the moment they are suspended', async () => {
    const admin = await newUser('administrator');
    const target = await createUser(rt.services, admin.org_id);
    const a = await signInAs(rt, app, admin);
    const t = await signInAs(rt, app, target);
    expect((await viewerOf(t.accessToken)).id).toBe(target.id);
    const r = await gql(
      app,
      'mutation($u: ID!) { suspendUser(input: { userId: $u, reason: "Lost laptop" }) { userErrors { code } } }',
      { u: target.id },
      a.accessToken,
    );
    expect(r.body.data.suspendUser.userErrors).toEqual([]);
    expect((await viewerOf(t.accessToken)).id).toBeNull();
    expect((await refresh(t.refreshToken)).userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
  });

  it('signOutOtherSessions keeps the current session only; sessions lists them with `current`', async () => {
    const user = await newUser();
    const here = await signInAs(rt, app, user);
    const there = await signInAs(rt, app, user);
    const r = await gql(
      app,
      'mutation { signOutOtherSessions { revokedCount } }',
      undefined,
      here.accessToken,
    );
    expect(r.body.data.signOutOtherSessions.revokedCount).toBe(1);
    expect((await viewerOf(there.accessToken)).id).toBeNull();
    const list = await gql(
      app,
      '{ sessions { id current revokedAt ip userAgent } }',
      undefined,
      here.accessToken,
    );
    expect(list.body.data.sessions).toEqual(
      [
        {
          id: there.sessionId,
          current: false,
          revokedAt: rt.clock.now().toISOString(),
          ip: '127.0.0.1',
          userAgent: 'lightMyRequest',
        },
        { id: here.sessionId, current: true, revokedAt: null, ip: '127.0.0.1', userAgent: 'lightMyRequest' },
      ].sort((x, y) => (x.id < y.id ? 1 : -1)),
    );
  });

  it('shows other users’ sessions only with sessions:read, and never another organisation’s', async () => {
    const auditor = await newUser('viewer');
    await rt.services.db.updateTable('users').set({ role: 'auditor' }).where('id', '=', auditor.id).execute();
    const peer = await createUser(rt.services, auditor.org_id);
    const a = await signInAs(rt, app, auditor);
    const p = await signInAs(rt, app, peer);
    const q = 'query($u: ID) { sessions(userId: $u) { id } }';
    expect((await gql(app, q, { u: peer.id }, a.accessToken)).body.data.sessions).toEqual([
      { id: p.sessionId },
    ]);
    const denied = await gql(app, q, { u: auditor.id }, p.accessToken);
    expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const stranger = await newUser();
    const foreign = await gql(app, q, { u: stranger.id }, a.accessToken);
    expect(foreign.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('refresh tokens', () => {
  it('rotate: each works once and returns a new pair', async () => {
    const user = await newUser();
    const s = await signInAs(rt, app, user);
    rt.clock.advance(30_000);
    const r1 = await refresh(s.refreshToken);
    expect(r1.userErrors).toEqual([]);
    expect(r1.refreshToken).not.toBe(s.refreshToken);
    expect(decodeJwt(r1.accessToken).sid).toBe(s.sessionId);
    expect((await viewerOf(r1.accessToken)).id).toBe(user.id);
    const r2 = await refresh(r1.refreshToken);
    expect(r2.userErrors).toEqual([]);
  });

  it('reuse of a spent token ends the whole family: the newest refresh token and its access token too', async () => {
    const user = await newUser();
    const s = await signInAs(rt, app, user);
    const r1 = await refresh(s.refreshToken);
    const replay = await refresh(s.refreshToken);
    expect(replay).toMatchObject({ accessToken: null, userErrors: [{ code: 'SESSION_INVALID' }] });
    expect((await refresh(r1.refreshToken)).userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
    expect((await viewerOf(r1.accessToken)).id).toBeNull();
    expect((await viewerOf(s.accessToken)).id).toBeNull();
    const events = await rt.services.db
      .selectFrom('audit_events')
      .select('action')
      .where('org_id', '=', user.org_id)
      .where('action', '=', 'session.refresh_token_reused')
      .execute();
    expect(events).toHaveLength(1);
    expect((await refresh('not-a-token-we-issued')).userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
  });

  it('two concurrent refreshes with one token: exactly one wins', async () => {
    const user = await newUser();
    const s = await signInAs(rt, app, user);
    const results = await Promise.all([refresh(s.refreshToken), refresh(s.refreshToken)]);
    const winners = results.filter((r) => r.accessToken !== null);
    const losers = results.filter((r) => r.accessToken === null);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
    const used = await rt.services.db
      .selectFrom('refresh_tokens')
      .select('used_at')
      .where('session_id', '=', s.sessionId)
      .where('used_at', 'is not', null)
      .execute();
    expect(used).toHaveLength(1);
  });

  it('extends the idle lifetime up to the absolute one and no further', async () => {
    const org = await createOrg(rt.services);
    await rt.services.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ sessionIdleMinutes: 40, sessionAbsoluteHours: 1 }) })
      .where('id', '=', org.id)
      .execute();
    const user = await createUser(rt.services, org.id);
    const s = await signInAs(rt, app, user);
    rt.clock.advance(35 * 60_000);
    const r1 = await refresh(s.refreshToken);
    expect(r1.userErrors).toEqual([]);
    // The access token never outlives the session: 25 minutes left < the token lifetime would allow.
    const row = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', s.sessionId)
      .executeTakeFirstOrThrow();
    expect(row.idle_expires_at.getTime()).toBe(row.absolute_expires_at.getTime());
    rt.clock.advance(26 * 60_000);
    expect((await refresh(r1.refreshToken)).userErrors).toEqual([{ code: 'SESSION_INVALID' }]);

    const idle = await signInAs(rt, app, user);
    rt.clock.advance(41 * 60_000);
    expect((await refresh(idle.refreshToken)).userErrors).toEqual([{ code: 'SESSION_INVALID' }]);
  });
});

describe('access token checks', () => {
  it('refuses an expired token, cached or seen for the first time', async () => {
    const user = await newUser();
    const seen = await signInAs(rt, app, user);
    const unseen = await signInAs(rt, app, user);
    expect((await viewerOf(seen.accessToken)).id).toBe(user.id);
    rt.clock.advance(rt.config.accessTokenTtlSeconds * 1000 + 1000);
    for (const token of [seen.accessToken, unseen.accessToken]) {
      const r = await viewerOf(token);
      expect(r.id).toBeNull();
      expect(r.error.message).toMatch(/expired/);
    }
  });

  it('refuses tokens signed by a foreign key, with alg none or HS256, or with the wrong issuer, audience or type', async () => {
    const user = await newUser();
    const s = await signInAs(rt, app, user);
    const header = decodeProtectedHeader(s.accessToken);
    const claims = decodeJwt(s.accessToken);
    const kid = header.kid!;
    const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const sign = (h: object, c: object = claims) =>
      new SignJWT({ ...c })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid, ...h })
        .sign(foreign.privateKey);
    const ours = (
      await rt.services.db.selectFrom('signing_keys').select('public_jwk').executeTakeFirstOrThrow()
    ).public_jwk as { x: string };
    const hsInput = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(claims)}`;
    const hs256 = `${hsInput}.${createHmac('sha256', Buffer.from(ours.x, 'base64url')).update(hsInput).digest('base64url')}`;

    const bad = {
      'foreign key, our kid': await sign({}),
      'foreign key, unknown kid': await sign({ kid: 'made-up-kid' }),
      'alg none': `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`,
      'HS256 with our public key as secret': hs256,
      'tampered claims': `${s.accessToken.split('.')[0]}.${b64({ ...claims, role: 'owner' })}.${s.accessToken.split('.')[2]}`,
    };
    for (const [what, token] of Object.entries(bad)) {
      const r = await authenticate(rt.services, `Bearer ${token}`);
      expect(r, what).toEqual({ actor: null, failure: 'The access token is not valid.', enrolling: null });
    }
    // Right key, wrong claims: issue with our own key through the verifier's rules.
    const mint = async (h: object, c: object) => {
      const { sessionServices } = await import('../../src/domain/sessions/session-services.js');
      const { key, kid: k } = await sessionServices(rt.services).keys.signingKey();
      return new SignJWT({ ...claims, ...c })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: k, ...h })
        .sign(key);
    };
    const wrongClaims = {
      issuer: await mint({}, { iss: 'https://evil.test' }),
      audience: await mint({}, { aud: 'other-api' }),
      type: await mint({ typ: 'JWT' }, {}),
      role: await mint({}, { role: 'superuser' }),
    };
    for (const [what, token] of Object.entries(wrongClaims)) {
      const r = await authenticate(rt.services, `Bearer ${token}`);
      expect(r.actor, what).toBeNull();
    }
    expect((await authenticate(rt.services, `Bearer ${await mint({}, {})}`)).actor).toMatchObject({
      userId: user.id,
    });
    expect((await authenticate(rt.services, 'Basic abc')).failure).toBe('The access token is not valid.');
    expect(claims).toMatchObject({
      iss: rt.config.publicUrl,
      aud: accessTokenAudience,
      sub: user.id,
      org: user.org_id,
      role: 'viewer',
    });
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
  });

  it('refuses a signed token naming no session, issued in the future, or living longer than the TTL', async () => {
    const user = await newUser();
    const s = await signInAs(rt, app, user);
    const claims = decodeJwt(s.accessToken);
    const other = await signInAs(rt, app, await newUser());
    const { sessionServices } = await import('../../src/domain/sessions/session-services.js');
    const { key, kid } = await sessionServices(rt.services).keys.signingKey();
    // Signed with the real key: only the claims are wrong.
    const mint = (c: object) =>
      new SignJWT({ ...claims, ...c }).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid }).sign(key);
    const nowS = Math.floor(rt.clock.now().getTime() / 1000);
    const ttl = rt.config.accessTokenTtlSeconds;
    const skew = accessTokenClockSkewSeconds;
    const refused = {
      'sid naming no session': await mint({ sid: randomUUID() }),
      'sid not a uuid': await mint({ sid: 'not-a-session' }),
      "sid of another user's session": await mint({ sid: other.sessionId }),
      'iat in the future, beyond the skew': await mint({ iat: nowS + skew + 5, exp: nowS + skew + 5 + ttl }),
      'lifetime longer than the TTL': await mint({ iat: nowS, exp: nowS + ttl + 1 }),
      'a day-long token issued an hour ago': await mint({ iat: nowS - 3600, exp: nowS + 86_400 - 3600 }),
    };
    // Each twice: a refusal is not cached as an acceptance. All collected, so every case shows at once.
    const invalid = { actor: null, failure: 'The access token is not valid.', enrolling: null };
    const got: Record<string, unknown> = {};
    for (const [what, token] of Object.entries(refused)) {
      const first = await authenticate(rt.services, `Bearer ${token}`);
      const second = await authenticate(rt.services, `Bearer ${token}`);
      const overHttp = await viewerOf(token);
      got[what] = { first, second, viewer: overHttp.id };
    }
    expect(got).toEqual(
      Object.fromEntries(
        Object.keys(refused).map((w) => [w, { first: invalid, second: invalid, viewer: null }]),
      ),
    );
    // Within the rules: a normal token, a small skew, and exactly the TTL still work.
    const fine = {
      'the issued token': s.accessToken,
      'iat within the skew': await mint({ iat: nowS + skew - 5, exp: nowS + skew - 5 + ttl }),
      'exactly the TTL': await mint({ iat: nowS, exp: nowS + ttl }),
    };
    for (const [what, token] of Object.entries(fine)) {
      const r = await authenticate(rt.services, `Bearer ${token}`);
      const userId = r.actor?.type === 'user' ? r.actor.userId : null;
      expect({ what, userId }).toEqual({ what, userId: user.id });
    }
  });

  it('checks the session once per token: later checks of a cached token do not query the database', async () => {
    const user = await newUser();
    const s = await signInAs(rt, app, user);
    const { sessionServices } = await import('../../src/domain/sessions/session-services.js');
    const { key, kid } = await sessionServices(rt.services).keys.signingKey();
    const token = await new SignJWT({ ...decodeJwt(s.accessToken), jti: randomUUID() })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid })
      .sign(key);
    let queries = 0;
    const plugin: KyselyPlugin = {
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const counted = { ...rt.services, db: rt.services.db.withPlugin(plugin) };
    const verifier = new AccessTokenVerifier(counted);
    expect((await verifier.verify(token)).ok).toBe(true);
    const first = queries;
    expect(first).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 5; i += 1) expect((await verifier.verify(token)).ok).toBe(true);
    expect(queries).toBe(first);
    // Revocation still answers on every request, through the registry, after the session was found.
    await gql(app, 'mutation { signOut { userErrors { code } } }', undefined, token);
    expect((await authenticate(rt.services, `Bearer ${token}`)).failure).toBe(
      'The session has ended. Sign in again.',
    );
  });
});

describe('signing keys', () => {
  it('rotation: old tokens stay valid, new tokens use the new kid, the JWKS publishes public keys only', async () => {
    const user = await newUser();
    const before = await signInAs(rt, app, user);
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const { kid: newKid } = await rotateSigningKey(rt.services);
    const after = await signInAs(rt, app, user);
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(newKid);
    expect(newKid).not.toBe(oldKid);
    expect((await viewerOf(before.accessToken)).id).toBe(user.id);
    expect((await viewerOf(after.accessToken)).id).toBe(user.id);

    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    for (const k of jwks.keys) {
      expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      expect(k).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    }

    // Once every token of the old key has expired, the next rotation retires it and it leaves the JWKS.
    rt.clock.advance((rt.config.accessTokenTtlSeconds + 61) * 1000);
    const third = await rotateSigningKey(rt.services);
    expect(third.retired).toContain(oldKid);
    const later = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(later.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([newKid, third.kid].sort());
  });

  it('keeps private keys encrypted at rest under the secret key, bound to their kid', async () => {
    const rows = await rt.services.db.selectFrom('signing_keys').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    const secret = rt.config.secretKey!;
    for (const row of rows) {
      const sealed = row.private_jwk_encrypted;
      const jwk = JSON.parse(decryptPrivateKey(secret, row.kid, sealed)) as { d: string; x: string };
      expect(jwk.x).toBe((row.public_jwk as { x: string }).x);
      expect(sealed).not.toContain(jwk.d);
      expect(() => decryptPrivateKey('another-secret-another-secret-0123456789', row.kid, sealed)).toThrow();
      expect(() => decryptPrivateKey(secret, 'another-kid', sealed)).toThrow();
    }
    const pub = await exportJWK((await generateKeyPair('EdDSA', { crv: 'Ed25519' })).publicKey);
    expect(pub.d).toBeUndefined();
  });
});

it('keeps the viewer query anonymous without a token', async () => {
  expect((await gql(app, viewerQuery)).body.data.viewer).toBeNull();
});
