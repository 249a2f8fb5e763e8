import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  actorFor,
  authenticatedNow,
  contextFor,
  createOrg,
  createUser,
} from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { RoleKey } from '../../authz/roles.js';
import { changeUserRole } from '../users/change-user-role.js';
import { suspendUser } from '../users/suspend-user.js';
import type { Actor, CommandContext } from '../shared/context.js';
import { authenticateScimToken } from './authenticate-scim-token.js';
import { createScimToken } from './create-scim-token.js';
import { credentialServices } from './credential-services.js';
import { listScimTokens } from './list-scim-tokens.js';
import { revokeScimToken } from './revoke-scim-token.js';
import { rotateScimToken } from './rotate-scim-token.js';
import { scimRateLimit } from './token-rate-limit.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => {
  await rt?.close();
});

async function orgWith(role: RoleKey = 'administrator') {
  const org = await createOrg(rt.services);
  // a second owner keeps the organisation owned whatever a test does
  await createUser(rt.services, org.id, { role: 'owner' });
  const admin = await createUser(rt.services, org.id, { role });
  const ctx = contextFor(rt.services, await actorFor(rt.services, admin));
  return { org, admin, ctx };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

async function auditOf(orgId: string, action: string) {
  return rt.services.db
    .selectFrom('audit_events')
    .select(['action', 'actor_type', 'actor_id', 'target_id', 'changes'])
    .where('org_id', '=', orgId)
    .where('action', '=', action)
    .execute();
}

const bearer = (t: string) => `Bearer ${t}`;
const meta = { ip: '192.0.2.7' };

describe('SCIM tokens', () => {
  it('shows the secret once, in a scannable format, and stores only a keyed hash', async () => {
    const { org, admin, ctx } = await orgWith();
    const made = await createScimToken(ctx, {
      name: 'Entra ID',
      scopes: ['users', 'groups'],
      maxRole: 'user_manager',
    });
    expect(made.secret).toMatch(/^rst_scim_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(made.secret).toContain(made.token.id.replaceAll('-', ''));
    expect(made.token).not.toHaveProperty('secret_hash');
    const row = await rt.services.db
      .selectFrom('scim_tokens')
      .selectAll()
      .where('id', '=', made.token.id)
      .executeTakeFirstOrThrow();
    const secretPart = made.secret.split('_').slice(3).join('_');
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(secretPart);
    expect(row.scopes).toEqual(['groups', 'users']);
    expect(row.expires_at.getTime() - rt.clock.now().getTime()).toBe(90 * 86_400_000);
    // listed without the secret or its hash
    const listed = await listScimTokens(ctx);
    expect(listed.map((t) => t.id)).toEqual([made.token.id]);
    expect(JSON.stringify(listed)).not.toContain(row.secret_hash);
    const [event] = await auditOf(org.id, 'scim_token.created');
    expect(event).toMatchObject({ actor_type: 'user', actor_id: admin.id, target_id: made.token.id });
    expect(JSON.stringify(event)).not.toContain(secretPart);
  });

  it('authenticates the right token as its own actor and refuses wrong, unknown, expired and revoked ones alike', async () => {
    const { ctx } = await orgWith();
    const made = await createScimToken(ctx, {
      name: 'Okta',
      scopes: ['users'],
      maxRole: 'viewer',
      expiresInDays: 1,
    });
    const actor = await authenticateScimToken(rt.services, bearer(made.secret), meta);
    expect(actor).toMatchObject({
      type: 'api_credential',
      credentialId: made.token.id,
      orgId: ctx.actor.orgId,
      scopes: ['users'],
      maxRole: 'viewer',
    });
    expect(actor.permissions.has('users:suspend')).toBe(true);
    expect(actor.permissions.has('users:change_role')).toBe(false);

    const wrong = made.secret.slice(0, -2) + (made.secret.endsWith('AA') ? 'BB' : 'AA');
    const unknown = `rst_scim_${'0'.repeat(32)}_${made.secret.slice(-43)}`;
    for (const header of [bearer(wrong), bearer(unknown), 'Bearer nonsense', undefined, made.secret]) {
      expect(await codeOf(authenticateScimToken(rt.services, header, meta))).toBe('API_TOKEN_INVALID');
    }
    // a personal token is not a SCIM token
    expect(
      await codeOf(
        authenticateScimToken(rt.services, bearer(made.secret.replace('rst_scim_', 'rst_pat_')), meta),
      ),
    ).toBe('API_TOKEN_INVALID');

    rt.clock.advance(86_400_000 + 1000);
    expect(await codeOf(authenticateScimToken(rt.services, bearer(made.secret), meta))).toBe(
      'API_TOKEN_INVALID',
    );

    await authenticatedNow(rt.services, ctx.actor);
    const other = await createScimToken(ctx, { name: 'Second', scopes: ['users'], maxRole: 'viewer' });
    expect(await codeOf(authenticateScimToken(rt.services, bearer(other.secret), meta))).toBe('ok');
    await revokeScimToken(ctx, { id: other.token.id });
    expect(await codeOf(authenticateScimToken(rt.services, bearer(other.secret), meta))).toBe(
      'API_TOKEN_INVALID',
    );
  });

  it('rotation: a new secret works, the old one stops at once; both audited', async () => {
    const { org, ctx } = await orgWith();
    const made = await createScimToken(ctx, { name: 'IdP', scopes: ['users'], maxRole: 'viewer' });
    const rotated = await rotateScimToken(ctx, { id: made.token.id });
    expect(rotated.token.id).toBe(made.token.id);
    expect(rotated.secret).not.toBe(made.secret);
    expect(await codeOf(authenticateScimToken(rt.services, bearer(made.secret), meta))).toBe(
      'API_TOKEN_INVALID',
    );
    expect(await codeOf(authenticateScimToken(rt.services, bearer(rotated.secret), meta))).toBe('ok');
    expect(await auditOf(org.id, 'scim_token.rotated')).toHaveLength(1);
    await revokeScimToken(ctx, { id: made.token.id });
    expect(await auditOf(org.id, 'scim_token.revoked')).toHaveLength(1);
    expect(await codeOf(rotateScimToken(ctx, { id: made.token.id }))).toBe('INVALID_TRANSITION');
    expect(await codeOf(revokeScimToken(ctx, { id: made.token.id }))).toBe('INVALID_TRANSITION');
  });

  it('rate-limits each token: RATE_LIMITED with a retry-after, then recovers', async () => {
    const { ctx } = await orgWith();
    const made = await createScimToken(ctx, { name: 'Busy', scopes: ['users'], maxRole: 'viewer' });
    const other = await createScimToken(ctx, { name: 'Quiet', scopes: ['users'], maxRole: 'viewer' });
    for (let i = 0; i < scimRateLimit.burst; i += 1) {
      await authenticateScimToken(rt.services, bearer(made.secret), meta);
    }
    const refused = await authenticateScimToken(rt.services, bearer(made.secret), meta).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } });
    // another token of the same organisation is not affected
    expect(await codeOf(authenticateScimToken(rt.services, bearer(other.secret), meta))).toBe('ok');
    rt.clock.advance(1000);
    expect(await codeOf(authenticateScimToken(rt.services, bearer(made.secret), meta))).toBe('ok');
  });

  it('records the last use (time and address) at most once a minute', async () => {
    const { ctx } = await orgWith();
    const made = await createScimToken(ctx, { name: 'Usage', scopes: ['users'], maxRole: 'viewer' });
    const usage = credentialServices(rt.services).usage;
    const lastUse = () =>
      rt.services.db
        .selectFrom('scim_tokens')
        .select(['last_used_at', 'last_used_ip'])
        .where('id', '=', made.token.id)
        .executeTakeFirstOrThrow();
    await authenticateScimToken(rt.services, bearer(made.secret), meta);
    await usage.settled();
    const first = await lastUse();
    expect(first).toEqual({ last_used_at: rt.clock.now(), last_used_ip: '192.0.2.7' });
    rt.clock.advance(30_000);
    await authenticateScimToken(rt.services, bearer(made.secret), { ip: '192.0.2.8' });
    await usage.settled();
    expect(await lastUse()).toEqual(first);
    rt.clock.advance(31_000);
    await authenticateScimToken(rt.services, bearer(made.secret), { ip: '192.0.2.9' });
    await usage.settled();
    expect(await lastUse()).toEqual({ last_used_at: rt.clock.now(), last_used_ip: '192.0.2.9' });
  });

  it('only holders of api_credentials:manage manage tokens; issuing needs a session and a recent sign-in', async () => {
    for (const role of ['user_manager', 'security_officer', 'auditor', 'viewer', 'investigator'] as const) {
      const { ctx } = await orgWith(role);
      expect(await codeOf(createScimToken(ctx, { name: 'x', scopes: ['users'], maxRole: 'viewer' }))).toBe(
        'FORBIDDEN',
      );
      expect(await codeOf(listScimTokens(ctx))).toBe('FORBIDDEN');
    }
    const { org, ctx } = await orgWith('administrator');
    // no escalation: an administrator cannot issue a token that reaches owners
    expect(await codeOf(createScimToken(ctx, { name: 'x', scopes: ['users'], maxRole: 'owner' }))).toBe(
      'ROLE_NOT_GRANTABLE',
    );
    // a personal token of the administrator cannot issue or rotate one
    const viaToken: CommandContext = contextFor(rt.services, {
      type: 'personal_token',
      tokenId: '00000000-0000-4000-8000-000000000000',
      userId: (ctx.actor as { userId: string }).userId,
      orgId: org.id,
      role: 'administrator',
      permissions: null,
    });
    expect(await codeOf(createScimToken(viaToken, { name: 'x', scopes: ['users'], maxRole: 'viewer' }))).toBe(
      'SESSION_REQUIRED',
    );
    // step-up: eleven minutes after signing in, issuing asks for a re-authentication and writes nothing
    rt.clock.advance(11 * 60_000);
    expect(await codeOf(createScimToken(ctx, { name: 'late', scopes: ['users'], maxRole: 'viewer' }))).toBe(
      'REAUTHENTICATION_REQUIRED',
    );
    expect(await listScimTokens(ctx)).toEqual([]);
    expect(await auditOf(org.id, 'scim_token.created')).toEqual([]);
    // another organisation's token is not found
    const other = await orgWith('owner');
    const theirs = await createScimToken(other.ctx, { name: 'theirs', scopes: ['users'], maxRole: 'viewer' });
    const owner = await orgWith('owner');
    expect(await codeOf(revokeScimToken(owner.ctx, { id: theirs.token.id }))).toBe('NOT_FOUND');
    expect(await codeOf(revokeScimToken(owner.ctx, { id: 'not-a-uuid' }))).toBe('NOT_FOUND');
  });

  it('a SCIM actor acts within its scopes and maxRole, and is audited as itself', async () => {
    const { org, ctx } = await orgWith('owner');
    const users = await createScimToken(ctx, { name: 'Users', scopes: ['users'], maxRole: 'user_manager' });
    const actor: Actor = await authenticateScimToken(rt.services, bearer(users.secret), meta);
    const scim = contextFor(rt.services, actor);
    const viewer = await createUser(rt.services, org.id, { role: 'viewer' });
    const admin = await createUser(rt.services, org.id, { role: 'administrator' });
    await suspendUser(scim, { userId: viewer.id, reason: 'IdP: inactive' });
    const [event] = await auditOf(org.id, 'user.suspended');
    expect(event).toMatchObject({
      actor_type: 'api_credential',
      actor_id: users.token.id,
      target_id: viewer.id,
    });
    // above its maxRole: refused; without role_mapping: no role changes
    expect(await codeOf(suspendUser(scim, { userId: admin.id, reason: 'x' }))).toBe('FORBIDDEN');
    const analyst = await createUser(rt.services, org.id, { role: 'analyst' });
    expect(await codeOf(changeUserRole(scim, { userId: analyst.id, role: 'viewer' }))).toBe('FORBIDDEN');
    // with role_mapping: roles up to maxRole only (an analyst's role holds more than a user manager's)
    const mapping = await createScimToken(ctx, {
      name: 'Roles',
      scopes: ['users', 'role_mapping'],
      maxRole: 'user_manager',
    });
    const mapper = contextFor(
      rt.services,
      await authenticateScimToken(rt.services, bearer(mapping.secret), meta),
    );
    const member = await createUser(rt.services, org.id, { role: 'viewer' });
    expect(await codeOf(changeUserRole(mapper, { userId: member.id, role: 'user_manager' }))).toBe('ok');
    expect(await codeOf(changeUserRole(mapper, { userId: analyst.id, role: 'viewer' }))).toBe(
      'ROLE_NOT_GRANTABLE',
    );
    expect(await codeOf(changeUserRole(mapper, { userId: member.id, role: 'administrator' }))).toBe(
      'ROLE_NOT_GRANTABLE',
    );
    const [changed] = await auditOf(org.id, 'user.role_changed');
    expect(changed).toMatchObject({ actor_type: 'api_credential', actor_id: mapping.token.id });
  });
});
