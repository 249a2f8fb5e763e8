import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { RoleKey } from '../../authz/roles.js';
import type { Services } from '../shared/context.js';
import { inviteUsers } from '../users/invite-users.js';
import { acceptInvitation } from './accept-invitation.js';
import { resendInvitation } from './resend-invitation.js';
import { revokeInvitation } from './revoke-invitation.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const day = 86_400_000;
const password = 'a long enough pass phrase 9';
const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#token=/, ''));
const missingId = '00000000-0000-4000-8000-000000000000';

async function setup(s: Services, actorRole: RoleKey = 'administrator', inviteeRole: RoleKey = 'analyst') {
  const org = await createOrg(s);
  const owner = await createUser(s, org.id, { role: 'owner' });
  const ownerCtx = contextFor(s, await actorFor(s, owner));
  const actor = await createUser(s, org.id, { role: actorRole });
  const ctx = contextFor(s, await actorFor(s, actor));
  const [r] = await inviteUsers(ownerCtx, {
    invitations: [{ email: `invitee-${inviteeRole}@example.test`, role: inviteeRole, message: 'Hello' }],
  });
  return { org, owner, ownerCtx, actor, ctx, user: r!.user, token: tokenOf(r!.link), first: r!.invitation };
}

async function eventsOf(s: Services, orgId: string) {
  return s.db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();
}

describe('resendInvitation', () => {
  it('issues a new link that works while the old one dies, keeping role and message by default', async () => {
    const s = rt.services;
    const { org, actor, ctx, user, token, first } = await setup(s);
    rt.clock.advance(day);
    const now = rt.clock.now();

    const r = await resendInvitation(ctx, { userId: user.id });

    expect(r.invitation.invitation).toMatchObject({
      status: 'pending',
      role: 'analyst',
      message: 'Hello',
      invited_by: actor.id,
    });
    expect(r.invitation.invitation.expires_at.getTime()).toBe(now.getTime() + 7 * day);
    expect(r.link).not.toBe(token);
    const old = await s.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', first.invitation.id)
      .executeTakeFirstOrThrow();
    expect(old.status).toBe('superseded');
    await expect(acceptInvitation(s, { token, password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
    });

    const events = await eventsOf(s, org.id);
    expect(events.at(-1)).toMatchObject({
      action: 'invitation.resent',
      actor_id: actor.id,
      target_id: user.id,
    });
    expect(events.at(-1)!.changes).toEqual({
      invitationId: r.invitation.invitation.id,
      expiresAt: {
        from: first.invitation.expires_at.toISOString(),
        to: new Date(now.getTime() + 7 * day).toISOString(),
      },
    });
    await expect(acceptInvitation(s, { token: tokenOf(r.link), password })).resolves.toMatchObject({
      status: 'active',
    });
  });

  it('changes role, message and expiry when asked, and audits the role change', async () => {
    const s = rt.services;
    const { org, ctx, user } = await setup(s);
    const r = await resendInvitation(ctx, {
      userId: user.id,
      role: 'investigator',
      message: null,
      expiresInDays: 2,
    });
    expect(r.user).toMatchObject({ role: 'investigator', version: user.version + 1 });
    expect(r.invitation.invitation).toMatchObject({ role: 'investigator', message: null });
    expect(r.invitation.invitation.expires_at.getTime()).toBe(rt.clock.now().getTime() + 2 * day);
    const last = (await eventsOf(s, org.id)).at(-1)!;
    expect(last.changes).toMatchObject({ role: { from: 'analyst', to: 'investigator' } });
    const accepted = await acceptInvitation(s, { token: tokenOf(r.link), password });
    expect(accepted.role).toBe('investigator');
  });

  it('refuses roles beyond the actor’s rights, in both directions, and writes nothing', async () => {
    const s = rt.services;
    const a = await setup(s, 'user_manager', 'administrator');
    const before = (await eventsOf(s, a.org.id)).length;
    // an administrator's role holds permissions a user manager lacks: it may not touch the invitation at
    // all (resend, change or revoke), FORBIDDEN like any target out of reach (issue 10, point 7)
    await expect(resendInvitation(a.ctx, { userId: a.user.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(resendInvitation(a.ctx, { userId: a.user.id, role: 'viewer' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(revokeInvitation(a.ctx, { userId: a.user.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    // resending an analyst's link would hand out a role the user manager cannot grant
    const c = await setup(s, 'user_manager', 'analyst');
    await expect(resendInvitation(c.ctx, { userId: c.user.id })).rejects.toMatchObject({
      code: 'ROLE_NOT_GRANTABLE',
    });
    const b = await setup(s, 'user_manager', 'viewer');
    await expect(resendInvitation(b.ctx, { userId: b.user.id, role: 'owner' })).rejects.toMatchObject({
      code: 'ROLE_NOT_GRANTABLE',
    });
    await expect(resendInvitation(b.ctx, { userId: b.user.id, role: 'Owner' })).rejects.toMatchObject({
      code: 'UNKNOWN_ROLE',
    });
    expect((await eventsOf(s, a.org.id)).length).toBe(before);
    await expect(acceptInvitation(s, { token: a.token, password })).resolves.toMatchObject({
      role: 'administrator',
    });
  });

  it('needs invitations:resend, an invited user, and a user of the same organisation', async () => {
    const s = rt.services;
    const { org, ctx, user } = await setup(s);
    const viewer = contextFor(
      s,
      await actorFor(s, await createUser(s, org.id, { role: 'security_officer' })),
    );
    await expect(resendInvitation(viewer, { userId: user.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const active = await createUser(s, org.id);
    await expect(resendInvitation(ctx, { userId: active.id })).rejects.toMatchObject({
      code: 'INVITATION_NOT_PENDING',
    });
    const other = await setup(s);
    const a = await resendInvitation(ctx, { userId: other.user.id }).catch((e: unknown) => e);
    const b = await resendInvitation(ctx, { userId: missingId }).catch((e: unknown) => e);
    expect(a).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    expect(b).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    await expect(resendInvitation(ctx, { userId: 'not-a-uuid' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(resendInvitation(ctx, { userId: user.id, expiresInDays: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'expiresInDays' },
    });
  });
});

describe('revokeInvitation', () => {
  it('kills the link, keeps the user invited, and a resend brings a working link back', async () => {
    const s = rt.services;
    const { org, actor, ctx, user, token, first } = await setup(s, 'security_officer');

    const r = await revokeInvitation(ctx, { userId: user.id });

    expect(r.invitation).toMatchObject({
      status: 'revoked',
      invitation: { id: first.invitation.id, status: 'revoked' },
    });
    expect(r.user.status).toBe('invited');
    await expect(acceptInvitation(s, { token, password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
    });
    const last = (await eventsOf(s, org.id)).at(-1)!;
    expect(last).toMatchObject({ action: 'invitation.revoked', actor_id: actor.id, target_id: user.id });
    expect(last.changes).toEqual({
      invitationId: first.invitation.id,
      status: { from: 'pending', to: 'revoked' },
    });
    // nothing left to revoke
    await expect(revokeInvitation(ctx, { userId: user.id })).rejects.toMatchObject({
      code: 'INVITATION_NOT_PENDING',
    });

    const admin = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'administrator' })));
    const again = await resendInvitation(admin, { userId: user.id });
    expect(again.invitation.invitation.message).toBe('Hello');
    await expect(acceptInvitation(s, { token: tokenOf(again.link), password })).resolves.toMatchObject({
      status: 'active',
    });
  });

  it('needs invitations:revoke and answers another organisation’s user like a missing one', async () => {
    const s = rt.services;
    const { org, ctx, user } = await setup(s);
    const analyst = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'analyst' })));
    await expect(revokeInvitation(analyst, { userId: user.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const other = await setup(s);
    await expect(revokeInvitation(ctx, { userId: other.user.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const row = await s.db
      .selectFrom('invitations')
      .select('status')
      .where('id', '=', other.first.invitation.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    await expect(revokeInvitation(ctx, { userId: user.id, reason: 'x' } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unknownFields: ['reason'] },
    });
  });
});
