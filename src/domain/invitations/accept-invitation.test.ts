import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { verifyPassword } from '../security/password-hash.js';
import type { Services } from '../shared/context.js';
import { deactivateUser } from '../users/deactivate-user.js';
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
const meta = { requestId: 'req-accept', ip: '10.0.0.9', userAgent: 'browser' };

async function invited(s: Services, role = 'analyst') {
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const ctx = contextFor(s, await actorFor(s, admin));
  const [r] = await inviteUsers(ctx, { invitations: [{ email: 'newcomer@example.test', role }] });
  return {
    org,
    admin,
    ctx,
    user: r!.user,
    token: tokenOf(r!.link),
    invitationId: r!.invitation.invitation.id,
  };
}

async function eventsOf(s: Services, orgId: string) {
  return s.db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();
}

describe('acceptInvitation', () => {
  it('sets password and profile, activates the user, uses the link up and audits both steps', async () => {
    const s = rt.services;
    const { org, user, token, invitationId } = await invited(s);
    rt.clock.advance(3_600_000);
    const now = rt.clock.now();

    const active = await acceptInvitation(
      s,
      {
        token,
        password,
        displayName: ' Nia Newcomer ',
        jobTitle: 'Analyst',
        locale: 'en-gb',
        timeZone: 'Europe/London',
      },
      meta,
    );

    expect(active).toMatchObject({
      id: user.id,
      status: 'active',
      role: 'analyst',
      display_name: 'Nia Newcomer',
      search_text: 'nia newcomer newcomer@example.test',
      job_title: 'Analyst',
      locale: 'en-GB',
      time_zone: 'Europe/London',
      version: user.version + 1,
    });
    expect(active.activated_at?.getTime()).toBe(now.getTime());
    expect(active.password_changed_at?.getTime()).toBe(now.getTime());
    expect(await verifyPassword(active.password_hash!, password)).toBe(true);
    const inv = await s.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', invitationId)
      .executeTakeFirstOrThrow();
    expect(inv).toMatchObject({ status: 'accepted' });
    expect(inv.accepted_at?.getTime()).toBe(now.getTime());

    const events = (await eventsOf(s, org.id)).slice(1);
    expect(events.map((e) => e.action)).toEqual(['user.activated', 'invitation.accepted']);
    for (const e of events) {
      expect(e).toMatchObject({
        actor_type: 'system',
        actor_id: null,
        target_id: user.id,
        request_id: 'req-accept',
        ip: '10.0.0.9',
      });
    }
    expect(events[0]!.changes).toEqual({ status: { from: 'invited', to: 'active' } });
    expect(events[1]!.changes).toMatchObject({
      invitationId,
      role: 'analyst',
      displayName: { from: '', to: 'Nia Newcomer' },
      locale: { from: null, to: 'en-GB' },
    });
    expect(JSON.stringify(events)).not.toContain(password);

    // single use
    await expect(acceptInvitation(s, { token, password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
    });
  });

  it('lets exactly one of two concurrent submissions of the same token win', async () => {
    const s = rt.services;
    const { org, user, token } = await invited(s);
    const results = await Promise.allSettled([
      acceptInvitation(s, { token, password, displayName: 'First' }),
      acceptInvitation(s, { token, password: `${password}!`, displayName: 'Second' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'INVITATION_INVALID' });
    const winner = (won[0] as PromiseFulfilledResult<{ display_name: string }>).value.display_name;
    const row = await s.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.display_name).toBe(winner);
    expect(row.version).toBe(user.version + 1);
    const actions = (await eventsOf(s, org.id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'invitation.accepted')).toHaveLength(1);
    expect(actions.filter((a) => a === 'user.activated')).toHaveLength(1);
  });

  it('never lets an accept and a concurrent revoke both succeed', async () => {
    const s = rt.services;
    const { ctx, user, token } = await invited(s);
    // the revoke usually commits while the accept is hashing the password, between its first read and its
    // transaction: the check inside the transaction must then refuse the link
    const [accept, revoke] = await Promise.allSettled([
      acceptInvitation(s, { token, password }),
      revokeInvitation(ctx, { userId: user.id }),
    ]);
    expect([accept.status, revoke.status].sort()).toEqual(['fulfilled', 'rejected']);
    if (accept.status === 'rejected') expect(accept.reason).toMatchObject({ code: 'INVITATION_INVALID' });
    if (revoke.status === 'rejected') expect(revoke.reason).toMatchObject({ code: 'INVITATION_NOT_PENDING' });
    const row = await s.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe(accept.status === 'fulfilled' ? 'active' : 'invited');
  });

  it('refuses an expired link at its expiry instant, and accepts just before it', async () => {
    const s = rt.services;
    const a = await invited(s);
    rt.clock.advance(7 * day);
    await expect(acceptInvitation(s, { token: a.token, password })).rejects.toMatchObject({
      code: 'INVITATION_EXPIRED',
    });
    const row = await s.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', a.user.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('invited');
    expect(row.password_hash).toBeNull();

    const b = await invited(s);
    rt.clock.advance(7 * day - 1);
    await expect(acceptInvitation(s, { token: b.token, password })).resolves.toMatchObject({
      status: 'active',
    });
  });

  it('refuses unknown, superseded and revoked links alike, and a deactivated invitee', async () => {
    const s = rt.services;
    await expect(acceptInvitation(s, { token: 'no-such-token', password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
      message: 'This invitation link is not valid. Ask for a new invitation.',
    });

    const a = await invited(s);
    const resent = await resendInvitation(a.ctx, { userId: a.user.id });
    await expect(acceptInvitation(s, { token: a.token, password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
    });
    await revokeInvitation(a.ctx, { userId: a.user.id });
    await expect(acceptInvitation(s, { token: tokenOf(resent.link), password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
    });

    const b = await invited(s);
    await deactivateUser(b.ctx, { userId: b.user.id, reason: 'Offer withdrawn' });
    await expect(acceptInvitation(s, { token: b.token, password })).rejects.toMatchObject({
      code: 'INVITATION_INVALID',
    });
    const row = await s.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', b.user.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('deactivated');
  });

  it('applies the password policy with the invitee’s email, name and organisation and writes nothing when refused', async () => {
    const s = rt.services;
    const { org, user, token } = await invited(s);
    const before = (await eventsOf(s, org.id)).length;
    await expect(acceptInvitation(s, { token, password: 'x7q!Lm2' })).rejects.toMatchObject({
      code: 'PASSWORD_POLICY',
      details: { field: 'password', problems: ['too_short', 'predictable'] },
    });
    await expect(
      acceptInvitation(s, { token, password: 'newcomer-is-my-password-123' }),
    ).rejects.toMatchObject({
      code: 'PASSWORD_POLICY',
      details: { problems: ['contains_email'] },
    });
    // The organisation's name, the name the person gives themselves here, and the weak examples.
    await expect(
      acceptInvitation(s, { token, password: 'TestOrg lantern harbour 2026' }),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY', details: { problems: ['contains_organization'] } });
    await expect(
      acceptInvitation(s, {
        token,
        password: 'wilhelmina harbour lanterns',
        displayName: 'Wilhelmina Okafor',
      }),
    ).rejects.toMatchObject({ code: 'PASSWORD_POLICY', details: { problems: ['contains_name'] } });
    for (const weak of ['Password1234567!', 'qwertyuiopasdfgh', 'iloveyouiloveyou']) {
      await expect(acceptInvitation(s, { token, password: weak })).rejects.toMatchObject({
        code: 'PASSWORD_POLICY',
      });
    }
    await expect(acceptInvitation(s, { token, password, timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'timeZone' },
    });
    await expect(acceptInvitation(s, { token, password, role: 'owner' } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unknownFields: ['role'] },
    });
    const row = await s.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual(user);
    expect((await eventsOf(s, org.id)).length).toBe(before);
    // the link still works afterwards
    await expect(acceptInvitation(s, { token, password })).resolves.toMatchObject({ status: 'active' });
  });
});
