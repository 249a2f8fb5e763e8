import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { bootstrapOrganization } from '../../src/domain/organizations/bootstrap-organization.js';
import { throttleRules } from '../../src/domain/security/sign-in-throttle.js';
import { inviteUsers } from '../../src/domain/users/invite-users.js';
import { revokeInvitation } from '../../src/domain/invitations/revoke-invitation.js';
import { actorFor, contextFor, createOrg, createUser } from '../support/factories.js';
import { freshIp, signInAs } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Accepting an invitation over GraphQL signs the person in (like signIn); the acceptance page's anonymous
// preview of an invitation by its token, which tells nothing about a token that cannot be used.

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

const password = 'a long enough pass phrase 9';
const day = 86_400_000;
const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#token=/, ''));

const acceptMutation = `mutation($i: AcceptInvitationInput!) {
  acceptInvitation(input: $i) {
    accessToken refreshToken expiresAt user { id email status displayName } userErrors { code message field }
  }
}`;
const previewQuery = `query($t: String!) {
  invitationPreview(token: $t) { organizationName email role invitedBy message expiresAt }
}`;

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

async function invited(role = 'analyst', message: string | null = null) {
  const s = rt.services;
  const org = await createOrg(s, 'Harbour Police');
  const admin = await createUser(s, org.id, { role: 'administrator', displayName: 'Ada Admin' });
  const ctx = contextFor(s, await actorFor(s, admin));
  const email = `new.${org.slug}@example.test`;
  const [r] = await inviteUsers(ctx, { invitations: [{ email, role, message }] });
  return { org, admin, ctx, email, user: r!.user, token: tokenOf(r!.link) };
}

async function sessionsOf(userId: string) {
  return rt.services.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
}
async function actionsOf(orgId: string) {
  const rows = await rt.services.db
    .selectFrom('audit_events')
    .select(['action', 'actor_type', 'actor_id', 'target_id', 'changes'])
    .where('org_id', '=', orgId)
    .orderBy('seq')
    .execute();
  return rows;
}

describe('acceptInvitation signs the person in', () => {
  it('returns a session like signIn: same claims, a working refresh token, audited as a sign-in', async () => {
    const { org, user, token, email } = await invited();
    const r = await post(acceptMutation, { i: { token, password, displayName: 'Nia Newcomer' } }, freshIp());
    const p = r.data.acceptInvitation;
    expect(p.userErrors).toEqual([]);
    expect(p.user).toMatchObject({ id: user.id, email, status: 'ACTIVE', displayName: 'Nia Newcomer' });
    expect(p.accessToken).toEqual(expect.any(String));
    expect(p.refreshToken).toEqual(expect.any(String));
    expect(new Date(p.expiresAt).getTime()).toBeGreaterThan(rt.clock.now().getTime());

    // The same kind of token signIn gives (compared with a real sign-in of the same user).
    const viaSignIn = await signInAs(rt, app, { ...user, email }, password);
    const claims = decodeJwt(p.accessToken);
    const signInClaims = decodeJwt(viaSignIn.accessToken);
    expect(Object.keys(claims).sort()).toEqual(Object.keys(signInClaims).sort());
    expect(decodeProtectedHeader(p.accessToken)).toMatchObject({
      alg: decodeProtectedHeader(viaSignIn.accessToken).alg,
      typ: 'at+jwt',
    });
    expect(claims).toMatchObject({ sub: user.id, org: org.id, role: 'analyst' });
    expect(claims.sid).not.toBe(signInClaims.sid);

    // The access token works; the refresh token rotates once, and its reuse ends the session.
    const me = await post('{ viewer { id email } }', {}, freshIp(), p.accessToken);
    expect(me.data.viewer).toEqual({ id: user.id, email });
    const refreshMutation =
      'mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { accessToken refreshToken userErrors { code } } }';
    const first = await post(refreshMutation, { i: { refreshToken: p.refreshToken } }, freshIp());
    expect(first.data.refreshSession.accessToken).toEqual(expect.any(String));
    const again = await post(refreshMutation, { i: { refreshToken: p.refreshToken } }, freshIp());
    expect(again.data.refreshSession.userErrors).toEqual([{ code: 'SESSION_INVALID' }]);

    const sessions = await sessionsOf(user.id);
    const opened = sessions.find((s) => s.id === claims.sid)!;
    expect(opened.auth_method).toBe('invitation');
    expect(opened.revoked_reason).toBe('session.refresh_token_reused');

    const events = await actionsOf(org.id);
    const accepted = events.findIndex((e) => e.action === 'invitation.accepted' && e.target_id === user.id);
    const signedIn = events.findIndex(
      (e) => e.action === 'session.signed_in' && e.changes?.sessionId === claims.sid,
    );
    expect(accepted).toBeGreaterThanOrEqual(0);
    expect(signedIn).toBe(accepted + 1);
    expect(events[signedIn]).toMatchObject({
      actor_type: 'user',
      actor_id: user.id,
      changes: { sessionId: claims.sid, method: 'invitation', amr: ['pwd'], acr: 'aal1' },
    });
    const row = await rt.services.db
      .selectFrom('users')
      .select(['last_login_at', 'failed_login_count', 'locked_until'])
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.last_login_at).not.toBeNull();
    expect(row.failed_login_count).toBe(0);
  });

  it('signs the first owner in through the setup link', async () => {
    const boot = await bootstrapOrganization(rt.services, {
      name: 'Setup Org',
      slug: `setup-${Date.now().toString(36)}`,
      ownerEmail: 'first.owner@example.test',
    });
    const r = await post(acceptMutation, { i: { token: boot.setupToken, password } }, freshIp());
    const p = r.data.acceptInvitation;
    expect(p.userErrors).toEqual([]);
    expect(decodeJwt(p.accessToken)).toMatchObject({ sub: boot.ownerId, role: 'owner' });
    const me = await post('{ viewer { role status } }', {}, freshIp(), p.accessToken);
    expect(me.data.viewer).toEqual({ role: 'OWNER', status: 'ACTIVE' });
  });

  it('opens no session when the acceptance fails, and a used link gives nothing', async () => {
    const { user, token } = await invited();
    const weak = await post(acceptMutation, { i: { token, password: 'short' } }, freshIp());
    expect(weak.data.acceptInvitation).toMatchObject({
      accessToken: null,
      refreshToken: null,
      userErrors: [{ code: 'PASSWORD_POLICY' }],
    });
    expect(await sessionsOf(user.id)).toEqual([]);

    const ok = await post(acceptMutation, { i: { token, password } }, freshIp());
    expect(ok.data.acceptInvitation.accessToken).toEqual(expect.any(String));
    const twice = await post(acceptMutation, { i: { token, password } }, freshIp());
    expect(twice.data.acceptInvitation).toMatchObject({
      accessToken: null,
      refreshToken: null,
      user: null,
      userErrors: [{ code: 'INVITATION_INVALID' }],
    });
    expect(await sessionsOf(user.id)).toHaveLength(1);
  });

  it('opens exactly one session when the same link is submitted twice at once', async () => {
    const { user, token } = await invited();
    const [a, b] = await Promise.all([
      post(acceptMutation, { i: { token, password } }, freshIp()),
      post(acceptMutation, { i: { token, password } }, freshIp()),
    ]);
    const winners = [a, b].filter((r) => r.data.acceptInvitation.accessToken);
    expect(winners).toHaveLength(1);
    expect(await sessionsOf(user.id)).toHaveLength(1);
  });
});

describe('invitationPreview', () => {
  it('shows the organisation, email, role, inviter and expiry of a usable link, and nothing else', async () => {
    const { token, email } = await invited('investigator', 'Welcome aboard');
    const r = await post(previewQuery, { t: token }, freshIp());
    expect(r.errors).toBeUndefined();
    expect(r.data.invitationPreview).toEqual({
      organizationName: 'Harbour Police',
      email,
      role: 'INVESTIGATOR',
      invitedBy: 'Ada Admin',
      message: 'Welcome aboard',
      expiresAt: expect.any(String),
    });
    const type = await post('{ __type(name: "InvitationPreview") { fields { name } } }', {}, freshIp());
    expect(type.data.__type.fields.map((f: { name: string }) => f.name).sort()).toEqual(
      [
        'departmentName',
        'email',
        'expiresAt',
        'invitedBy',
        'message',
        'minPasswordLength',
        'organizationName',
        'role',
      ].sort(),
    );
  });

  it('shows no inviter for the first owner’s setup link', async () => {
    const boot = await bootstrapOrganization(rt.services, {
      name: 'Preview Setup Org',
      slug: `preview-${Date.now().toString(36)}`,
      ownerEmail: 'preview.owner@example.test',
    });
    const r = await post(previewQuery, { t: boot.setupToken }, freshIp());
    expect(r.data.invitationPreview).toMatchObject({
      organizationName: 'Preview Setup Org',
      email: 'preview.owner@example.test',
      role: 'OWNER',
      invitedBy: null,
    });
  });

  it('answers only a stable code for unknown, used, revoked and expired links', async () => {
    const codeOf = async (t: string) => {
      const r = await post(previewQuery, { t }, freshIp());
      expect(r.data).toBeNull();
      expect(r.errors).toHaveLength(1);
      expect(Object.keys(r.errors[0].extensions)).toEqual(['code']);
      return r.errors[0].extensions.code as string;
    };
    expect(await codeOf('no-such-token')).toBe('INVITATION_INVALID');

    const used = await invited();
    await post(acceptMutation, { i: { token: used.token, password } }, freshIp());
    expect(await codeOf(used.token)).toBe('INVITATION_INVALID');

    const revoked = await invited();
    await revokeInvitation(revoked.ctx, { userId: revoked.user.id });
    expect(await codeOf(revoked.token)).toBe('INVITATION_INVALID');

    const expired = await invited();
    rt.clock.advance(8 * day);
    expect(await codeOf(expired.token)).toBe('INVITATION_EXPIRED');
    // The unknown token's message is the same as the used one's: no hint which was which.
    const a = await post(previewQuery, { t: 'no-such-token' }, freshIp());
    const b = await post(previewQuery, { t: used.token }, freshIp());
    expect(a.errors[0].message).toBe(b.errors[0].message);
  });

  it('throttles failed look-ups per source address, apart from sign-in', async () => {
    const { token } = await invited();
    const ip = freshIp();
    for (let i = 0; i < throttleRules.sourceFreeFailures; i++) {
      const r = await post(previewQuery, { t: `guess-${i}` }, ip);
      expect(r.errors[0].extensions.code).toBe('INVITATION_INVALID');
    }
    // Past the limit even a real link answers INVITATION_INVALID from that address…
    const blocked = await post(previewQuery, { t: token }, ip);
    expect(blocked.errors[0].extensions.code).toBe('INVITATION_INVALID');
    // …but not from another, and a usable link gives its attempt back.
    const other = freshIp();
    for (let i = 0; i < throttleRules.sourceFreeFailures + 5; i++) {
      const r = await post(previewQuery, { t: token }, other);
      expect(r.data?.invitationPreview?.role).toBe('ANALYST');
    }
    const row = await rt.services.db
      .selectFrom('sign_in_throttle')
      .selectAll()
      .where('source', '=', `invitation:ip:${ip}`)
      .executeTakeFirstOrThrow();
    expect(row.locked_until).not.toBeNull();
    // The sign-in counter of that address is untouched.
    const signIn = await rt.services.db
      .selectFrom('sign_in_throttle')
      .selectAll()
      .where('source', '=', `ip:${ip}`)
      .executeTakeFirst();
    expect(signIn).toBeUndefined();
  });
});
