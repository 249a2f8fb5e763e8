import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { signCounterAcceptable } from '../../src/domain/passkeys/relying-party.js';
import { defaultTestPassword, freshIp, gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Passkeys through the real GraphQL API and @simplewebauthn/server, with a software authenticator that
// produces real attestation ('none') and assertion structures (test/support/soft-authenticator.ts).

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
// Many sign-ins from one test file: the shared per-source throttle must not decide the outcome.
beforeEach(async () => {
  await rt.services.db.deleteFrom('sign_in_throttle').execute();
  // beginPasskeySignIn is limited per source per minute, and these requests all come from one address.
  await rt.services.db.deleteFrom('password_reset_throttle').execute();
});

const beginRegDoc = `mutation { beginPasskeyRegistration { options expiresAt userErrors { code } } }`;
const finishRegDoc = `mutation($i: FinishPasskeyRegistrationInput!) { finishPasskeyRegistration(input: $i) {
  passkey { id name createdAt lastUsedAt backedUp deviceType transports } userErrors { code field message } } }`;
const listDoc = `{ myPasskeys { id name createdAt lastUsedAt backedUp } }`;
const renameDoc = `mutation($i: RenamePasskeyInput!) { renamePasskey(input: $i) { passkey { id name } userErrors { code } } }`;
const removeDoc = `mutation($i: RemovePasskeyInput!) { removePasskey(input: $i) { removedId userErrors { code } } }`;
const beginSignInDoc = `mutation { beginPasskeySignIn { ceremonyId options userErrors { code } } }`;
const finishSignInDoc = `mutation($i: FinishPasskeySignInInput!) { finishPasskeySignIn(input: $i) {
  accessToken refreshToken user { id } userErrors { code message } } }`;

async function person(orgId: string): Promise<UserRow> {
  return createUser(rt.services, orgId, { role: 'investigator', password: defaultTestPassword });
}

async function register(token: string, auth: SoftAuthenticator, name = 'Laptop', knobs = {}) {
  const begun = await gql(app, beginRegDoc, undefined, token);
  expect(begun.body.data.beginPasskeyRegistration.userErrors).toEqual([]);
  const options = begun.body.data.beginPasskeyRegistration.options;
  const response = auth.createCredential(options, knobs);
  const r = await gql(app, finishRegDoc, { i: { name, response } }, token);
  return { payload: r.body.data.finishPasskeyRegistration, response, options };
}

async function beginSignIn() {
  const r = await gql(app, beginSignInDoc);
  expect(r.body.data.beginPasskeySignIn.userErrors).toEqual([]);
  return r.body.data.beginPasskeySignIn as { ceremonyId: string; options: never };
}

async function finishSignIn(ceremonyId: string, response: unknown, ip = freshIp()) {
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: ip,
    payload: { query: finishSignInDoc, variables: { i: { ceremonyId, response } } },
  });
  return r.json().data.finishPasskeySignIn;
}

async function passkeyRow(id: string) {
  return rt.services.db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
}

async function actions(userId: string): Promise<string[]> {
  const rows = await rt.services.db
    .selectFrom('audit_events')
    .select('action')
    .where('target_id', '=', userId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.action);
}

async function emails(userId: string): Promise<string[]> {
  const rows = await rt.services.db
    .selectFrom('outbox_messages')
    .select('subject')
    .where('recipient_user_id', '=', userId)
    .where('kind', '=', 'passkey_changed')
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.subject);
}

describe('passkey registration and management', () => {
  it('registers a discoverable passkey with user verification required, lists, renames and removes it', async () => {
    const org = await createOrg(rt.services);
    const user = await person(org.id);
    const { accessToken } = await signInAs(rt, app, user);
    const auth = new SoftAuthenticator(origin);

    const { payload, options } = await register(accessToken, auth, '  Work laptop ');
    expect(options.rp.id).toBe(new URL(rt.config.publicUrl).hostname);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.attestation).toBe('none');
    expect(payload.userErrors).toEqual([]);
    expect(payload.passkey).toMatchObject({
      name: 'Work laptop',
      lastUsedAt: null,
      backedUp: true,
      deviceType: 'multiDevice',
      transports: ['internal'],
    });
    const id = payload.passkey.id;
    const row = await passkeyRow(id);
    expect(row).toMatchObject({ user_id: user.id, org_id: org.id, sign_count: 0, backed_up: true });
    expect(row!.aaguid).toMatch(/^[0-9a-f-]{36}$/);

    // A second registration excludes the first credential.
    const again = await gql(app, beginRegDoc, undefined, accessToken);
    expect(
      again.body.data.beginPasskeyRegistration.options.excludeCredentials.map((c: { id: string }) => c.id),
    ).toEqual([row!.credential_id]);

    const listed = await gql(app, listDoc, undefined, accessToken);
    expect(listed.body.data.myPasskeys).toEqual([
      expect.objectContaining({ id, name: 'Work laptop', lastUsedAt: null, backedUp: true }),
    ]);

    const renamed = await gql(app, renameDoc, { i: { id, name: 'Phone' } }, accessToken);
    expect(renamed.body.data.renamePasskey).toEqual({ passkey: { id, name: 'Phone' }, userErrors: [] });
    const blank = await gql(app, renameDoc, { i: { id, name: '   ' } }, accessToken);
    expect(blank.body.data.renamePasskey.userErrors[0].code).toBe('VALIDATION_FAILED');

    const removed = await gql(app, removeDoc, { i: { id } }, accessToken);
    expect(removed.body.data.removePasskey).toEqual({ removedId: id, userErrors: [] });
    expect(await passkeyRow(id)).toBeUndefined();
    expect((await gql(app, listDoc, undefined, accessToken)).body.data.myPasskeys).toEqual([]);

    expect((await actions(user.id)).filter((a) => a.startsWith('user.passkey'))).toEqual([
      'user.passkey_added',
      'user.passkey_renamed',
      'user.passkey_removed',
    ]);
    const subjects = await emails(user.id);
    expect(subjects).toHaveLength(2);
    expect(subjects[0]).toContain('passkey was added');
    expect(subjects[1]).toContain('passkey was removed');
  });

  it('refuses a registration replayed, from another session, from a wrong origin or RP ID', async () => {
    const org = await createOrg(rt.services);
    const user = await person(org.id);
    const s1 = await signInAs(rt, app, user);
    const s2 = await signInAs(rt, app, user);
    const auth = new SoftAuthenticator(origin);

    // The challenge is bound to the session that began the ceremony.
    const begun = await gql(app, beginRegDoc, undefined, s1.accessToken);
    const response = auth.createCredential(begun.body.data.beginPasskeyRegistration.options);
    const other = await gql(app, finishRegDoc, { i: { name: 'x', response } }, s2.accessToken);
    expect(other.body.data.finishPasskeyRegistration.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
    const ok = await gql(app, finishRegDoc, { i: { name: 'x', response } }, s1.accessToken);
    expect(ok.body.data.finishPasskeyRegistration.userErrors).toEqual([]);
    // Single use.
    const replay = await gql(app, finishRegDoc, { i: { name: 'x', response } }, s1.accessToken);
    expect(replay.body.data.finishPasskeyRegistration.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');

    const wrongOrigin = await register(s1.accessToken, new SoftAuthenticator('https://evil.test'));
    expect(wrongOrigin.payload.userErrors[0].code).toBe('PASSKEY_VERIFICATION_FAILED');
    const wrongRp = await register(s1.accessToken, new SoftAuthenticator(origin), 'x', { rpId: 'evil.test' });
    expect(wrongRp.payload.userErrors[0].code).toBe('PASSKEY_VERIFICATION_FAILED');
    const noUv = await register(s1.accessToken, new SoftAuthenticator(origin), 'x', { userVerified: false });
    expect(noUv.payload.userErrors[0].code).toBe('PASSKEY_VERIFICATION_FAILED');
    expect((await gql(app, listDoc, undefined, s1.accessToken)).body.data.myPasskeys).toHaveLength(1);
  });

  it("cannot rename or remove another user's passkey", async () => {
    const org = await createOrg(rt.services);
    const alice = await person(org.id);
    const mallory = await createUser(rt.services, org.id, { role: 'owner', password: defaultTestPassword });
    const a = await signInAs(rt, app, alice);
    const m = await signInAs(rt, app, mallory);
    const { payload } = await register(a.accessToken, new SoftAuthenticator(origin));
    const id = payload.passkey.id;
    const rm = await gql(app, removeDoc, { i: { id } }, m.accessToken);
    expect(rm.body.data.removePasskey.userErrors[0].code).toBe('NOT_FOUND');
    const rn = await gql(app, renameDoc, { i: { id, name: 'mine now' } }, m.accessToken);
    expect(rn.body.data.renamePasskey.userErrors[0].code).toBe('NOT_FOUND');
    expect((await gql(app, listDoc, undefined, m.accessToken)).body.data.myPasskeys).toEqual([]);
    expect(await passkeyRow(id)).toMatchObject({ name: 'Laptop', user_id: alice.id });
    const anon = await gql(app, listDoc);
    expect(anon.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('passwordless sign-in with a passkey', () => {
  async function enrolled() {
    const org = await createOrg(rt.services);
    const user = await person(org.id);
    const { accessToken } = await signInAs(rt, app, user);
    const auth = new SoftAuthenticator(origin);
    const { payload } = await register(accessToken, auth);
    expect(payload.userErrors).toEqual([]);
    return { org, user, auth, passkeyId: payload.passkey.id as string };
  }

  it('signs in with no email given, at aal2 with amr hwk+user, and records the use', async () => {
    const { user, auth, passkeyId } = await enrolled();
    const { ceremonyId, options } = await beginSignIn();
    expect((options as { allowCredentials?: unknown[] }).allowCredentials ?? []).toEqual([]);
    expect((options as { userVerification: string }).userVerification).toBe('required');
    const r = await finishSignIn(ceremonyId, auth.getAssertion(options));
    expect(r.userErrors).toEqual([]);
    expect(r.user.id).toBe(user.id);
    const claims = decodeJwt(r.accessToken);
    expect(claims.amr).toEqual(['hwk', 'user']);
    expect(claims.acr).toBe('aal2');
    const session = await rt.services.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', claims.sid as string)
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({ auth_method: 'passkey', amr: ['hwk', 'user'], acr: 'aal2' });
    const row = await passkeyRow(passkeyId);
    expect(row!.sign_count).toBe(1);
    expect(row!.last_used_at).not.toBeNull();
    const signedIn = await rt.services.db
      .selectFrom('audit_events')
      .select(['action', 'changes'])
      .where('target_id', '=', user.id)
      .where('action', '=', 'session.signed_in')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(signedIn.changes)).toContain('passkey');
    // The session works.
    const viewer = await gql(app, '{ viewer { id } }', undefined, r.accessToken);
    expect(viewer.body.data.viewer.id).toBe(user.id);
  });

  it('refuses a replayed challenge, an unknown ceremony and a response for another ceremony', async () => {
    const { auth } = await enrolled();
    const { ceremonyId, options } = await beginSignIn();
    const assertion = auth.getAssertion(options);
    expect((await finishSignIn(ceremonyId, assertion)).userErrors).toEqual([]);
    const replay = await finishSignIn(ceremonyId, auth.getAssertion(options));
    expect(replay.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
    expect(replay.accessToken).toBeNull();

    const other = await beginSignIn();
    const mine = await beginSignIn();
    const crossed = await finishSignIn(other.ceremonyId, auth.getAssertion(mine.options));
    expect(crossed.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
  });

  it('refuses an expired ceremony', async () => {
    const { auth } = await enrolled();
    const { ceremonyId, options } = await beginSignIn();
    rt.clock.advance(5 * 60_000 + 1);
    const r = await finishSignIn(ceremonyId, auth.getAssertion(options));
    expect(r.userErrors[0].code).toBe('PASSKEY_CHALLENGE_INVALID');
  });

  it('refuses a wrong origin and a wrong RP ID, counting the failure', async () => {
    const { user, auth } = await enrolled();
    const a = await beginSignIn();
    const wrongOrigin = await finishSignIn(
      a.ceremonyId,
      auth.getAssertion(a.options, { origin: 'https://roster.evil' }),
    );
    expect(wrongOrigin.userErrors[0].code).toBe('SIGN_IN_FAILED');
    const b = await beginSignIn();
    const wrongRp = await finishSignIn(b.ceremonyId, auth.getAssertion(b.options, { rpId: 'evil.test' }));
    expect(wrongRp.userErrors[0].code).toBe('SIGN_IN_FAILED');
    const c = await beginSignIn();
    const noUv = await finishSignIn(c.ceremonyId, auth.getAssertion(c.options, { userVerified: false }));
    expect(noUv.userErrors[0].code).toBe('SIGN_IN_FAILED');
    const row = await rt.services.db
      .selectFrom('users')
      .select('failed_login_count')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.failed_login_count).toBe(3);
  });

  it('refuses a signature counter that does not grow, and counts it', async () => {
    const { user, auth, passkeyId } = await enrolled();
    const a = await beginSignIn();
    expect(
      (await finishSignIn(a.ceremonyId, auth.getAssertion(a.options, { counter: 5 }))).userErrors,
    ).toEqual([]);
    const b = await beginSignIn();
    const same = await finishSignIn(b.ceremonyId, auth.getAssertion(b.options, { counter: 5 }));
    expect(same.userErrors[0].code).toBe('SIGN_IN_FAILED');
    const c = await beginSignIn();
    const lower = await finishSignIn(c.ceremonyId, auth.getAssertion(c.options, { counter: 3 }));
    expect(lower.userErrors[0].code).toBe('SIGN_IN_FAILED');
    expect((await passkeyRow(passkeyId))!.sign_count).toBe(5);
    const failures = await rt.services.db
      .selectFrom('audit_events')
      .select('changes')
      .where('target_id', '=', user.id)
      .where('action', '=', 'session.sign_in_failed')
      .execute();
    expect(failures.map((f) => (f.changes as { reason: string }).reason)).toEqual([
      'passkey_counter_regressed',
      'passkey_counter_regressed',
    ]);
    const d = await beginSignIn();
    expect(
      (await finishSignIn(d.ceremonyId, auth.getAssertion(d.options, { counter: 6 }))).userErrors,
    ).toEqual([]);
  });

  it('refuses an unknown credential, and a passkey removed since', async () => {
    const { auth, passkeyId } = await enrolled();
    const stranger = new SoftAuthenticator(origin);
    stranger.createCredential({
      ...((await beginSignIn()).options as object),
      rp: { id: new URL(rt.config.publicUrl).hostname, name: 'x' },
      user: { id: 'eA', name: 'x', displayName: 'x' },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      challenge: 'AAAA',
    } as never);
    const a = await beginSignIn();
    expect((await finishSignIn(a.ceremonyId, stranger.getAssertion(a.options))).userErrors[0].code).toBe(
      'SIGN_IN_FAILED',
    );
    // With a passkey the password is no longer enough: the passkey itself opens the session.
    const c = await beginSignIn();
    const { accessToken } = await finishSignIn(c.ceremonyId, auth.getAssertion(c.options));
    await gql(app, removeDoc, { i: { id: passkeyId } }, accessToken);
    const b = await beginSignIn();
    expect((await finishSignIn(b.ceremonyId, auth.getAssertion(b.options))).userErrors[0].code).toBe(
      'SIGN_IN_FAILED',
    );
  });

  it('refuses a suspended user (ACCOUNT_SUSPENDED) and a deactivated one', async () => {
    const { user, auth } = await enrolled();
    await rt.services.db
      .updateTable('users')
      .set({ status: 'suspended', suspended_until: null })
      .where('id', '=', user.id)
      .execute();
    const a = await beginSignIn();
    const r = await finishSignIn(a.ceremonyId, auth.getAssertion(a.options));
    expect(r.accessToken).toBeNull();
    expect(r.userErrors[0].code).toBe('ACCOUNT_SUSPENDED');
    await rt.services.db
      .updateTable('users')
      .set({ status: 'deactivated' })
      .where('id', '=', user.id)
      .execute();
    const b = await beginSignIn();
    const d = await finishSignIn(b.ceremonyId, auth.getAssertion(b.options));
    expect(d.accessToken).toBeNull();
    expect(d.userErrors[0].code).toBe('SIGN_IN_FAILED');
  });

  it('counts failures toward the source lockout', async () => {
    const { auth } = await enrolled();
    const ip = freshIp();
    for (let i = 0; i < 20; i += 1) {
      const c = await beginSignIn();
      await finishSignIn(c.ceremonyId, auth.getAssertion(c.options, { origin: 'https://roster.evil' }), ip);
    }
    const source = await rt.services.db
      .selectFrom('sign_in_throttle')
      .selectAll()
      .where('source', '=', `ip:${ip}`)
      .executeTakeFirstOrThrow();
    expect(source.failures).toBe(20);
    expect(source.locked_until).not.toBeNull();
    // Locked: even a good assertion from that source is refused now.
    const c = await beginSignIn();
    expect((await finishSignIn(c.ceremonyId, auth.getAssertion(c.options), ip)).userErrors[0].code).toBe(
      'SIGN_IN_FAILED',
    );
  });
});

describe('signCounterAcceptable', () => {
  it('accepts counters that grow, and zero from authenticators that keep none', () => {
    expect(signCounterAcceptable(0, 0)).toBe(true);
    expect(signCounterAcceptable(0, 1)).toBe(true);
    expect(signCounterAcceptable(4, 5)).toBe(true);
    expect(signCounterAcceptable(5, 5)).toBe(false);
    expect(signCounterAcceptable(5, 0)).toBe(false);
    expect(signCounterAcceptable(5, 3)).toBe(false);
  });
});
