import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { Services } from '../shared/context.js';
import { hashSecretToken } from '../shared/secret-token.js';
import { inviteUsers } from './invite-users.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const day = 86_400_000;
const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#token=/, ''));

async function adminOf(
  s: Services,
  role: 'owner' | 'administrator' | 'user_manager' | 'viewer' = 'administrator',
) {
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role });
  return { org, admin, ctx: contextFor(s, await actorFor(s, admin)) };
}

async function countsOf(s: Services, orgId: string) {
  const users = await s.db.selectFrom('users').select('id').where('org_id', '=', orgId).execute();
  const invitations = await s.db.selectFrom('invitations').select('id').where('org_id', '=', orgId).execute();
  const events = await s.db.selectFrom('audit_events').select('seq').where('org_id', '=', orgId).execute();
  return { users: users.length, invitations: invitations.length, events: events.length };
}

describe('inviteUsers', () => {
  it('creates invited users with pending invitations, links and one audit event each', async () => {
    const s = rt.services;
    const { org, admin, ctx } = await adminOf(s);
    await s.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ invitationTtlDays: 3 }) })
      .where('id', '=', org.id)
      .execute();
    const now = rt.clock.now();

    const result = await inviteUsers(ctx, {
      invitations: [
        { email: '  Ada.Lovelace@Example.TEST ', role: 'analyst', displayName: 'Ada', message: 'Welcome' },
        { email: 'grace@example.test', role: 'investigator', expiresInDays: 30 },
      ],
    });

    expect(result).toHaveLength(2);
    const [ada, grace] = result;
    expect(ada!.user).toMatchObject({
      email: 'Ada.Lovelace@Example.TEST',
      email_normalized: 'ada.lovelace@example.test',
      display_name: 'Ada',
      search_text: 'ada ada.lovelace@example.test',
      role: 'analyst',
      status: 'invited',
      password_hash: null,
      activated_at: null,
    });
    expect(ada!.invitation.invitation).toMatchObject({
      role: 'analyst',
      message: 'Welcome',
      status: 'pending',
      invited_by: admin.id,
    });
    expect(ada!.invitation.invitedBy?.id).toBe(admin.id);
    expect(ada!.invitation.invitation.expires_at.getTime()).toBe(now.getTime() + 3 * day);
    expect(grace!.invitation.invitation.expires_at.getTime()).toBe(now.getTime() + 30 * day);
    expect(ada!.link.startsWith('https://roster.test/accept-invitation#token=')).toBe(true);
    // the token is stored only as a hash, bound to its purpose
    const stored = await s.db
      .selectFrom('invitations')
      .select('token_hash')
      .where('id', '=', ada!.invitation.invitation.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(hashSecretToken('invitation', tokenOf(ada!.link)));
    expect(stored.token_hash).not.toContain(tokenOf(ada!.link));

    const events = await s.db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', org.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => [e.action, e.target_id])).toEqual([
      ['user.invited', ada!.user.id],
      ['user.invited', grace!.user.id],
    ]);
    expect(events[0]).toMatchObject({ actor_id: admin.id, actor_type: 'user' });
    expect(events[0]!.changes).toEqual({
      email: 'Ada.Lovelace@Example.TEST',
      role: 'analyst',
      expiresAt: new Date(now.getTime() + 3 * day).toISOString(),
    });
    expect(JSON.stringify(events)).not.toContain('Welcome');
  });

  it('stores the time zone given (canonical IANA form) and refuses one that is not a zone', async () => {
    const s = rt.services;
    const { ctx } = await adminOf(s);
    const [placed, none] = await inviteUsers(ctx, {
      invitations: [
        { email: 'oslo@example.test', role: 'viewer', timeZone: 'europe/oslo' },
        { email: 'nowhere@example.test', role: 'viewer' },
      ],
    });
    expect(placed!.user.time_zone).toBe('Europe/Oslo');
    expect(none!.user.time_zone).toBeNull();
    await expect(
      inviteUsers(ctx, { invitations: [{ email: 'gmt@example.test', role: 'viewer', timeZone: '+02:00' }] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'invitations.0.timeZone' } });
  });

  it('uses 7 days when the organisation has no setting', async () => {
    const s = rt.services;
    const { org, ctx } = await adminOf(s);
    await s.db.updateTable('organizations').set({ settings: '{}' }).where('id', '=', org.id).execute();
    const [r] = await inviteUsers(ctx, { invitations: [{ email: 'x@example.test', role: 'viewer' }] });
    expect(r!.invitation.invitation.expires_at.getTime()).toBe(rt.clock.now().getTime() + 7 * day);
  });

  it('refuses the whole batch when one entry is refused, naming the entry, and writes nothing', async () => {
    const s = rt.services;
    const { org, ctx } = await adminOf(s);
    const existing = await createUser(s, org.id, { email: 'Taken@Example.test' });
    const before = await countsOf(s, org.id);
    const ok = (email: string) => ({ email, role: 'viewer' });

    await expect(
      inviteUsers(ctx, {
        invitations: [ok('a@example.test'), ok('b@example.test'), ok(' taken@EXAMPLE.test')],
      }),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN', details: { field: 'invitations.2.email' } });
    await expect(
      inviteUsers(ctx, { invitations: [ok('a@example.test'), ok('b@example.test'), ok('A@example.TEST')] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'invitations.2.email', duplicateOf: 0 },
    });
    await expect(
      inviteUsers(ctx, { invitations: [ok('a@example.test'), { email: 'o@example.test', role: 'owner' }] }),
    ).rejects.toMatchObject({ code: 'ROLE_NOT_GRANTABLE', details: { field: 'invitations.1.role' } });
    await expect(
      inviteUsers(ctx, { invitations: [ok('a@example.test'), { email: 'o@example.test', role: ' owner' }] }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ROLE', details: { field: 'invitations.1.role' } });
    await expect(
      inviteUsers(ctx, { invitations: [ok('a@example.test'), ok('not-an-email')] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'invitations.1.email' } });
    await expect(
      inviteUsers(ctx, { invitations: [{ ...ok('a@example.test'), expiresInDays: 91 }] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { field: 'invitations.0.expiresInDays' } });
    await expect(
      inviteUsers(ctx, { invitations: [{ ...ok('a@example.test'), status: 'active' } as never] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { unknownFields: ['status'] } });
    await expect(inviteUsers(ctx, { invitations: [] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const tooMany = Array.from({ length: 101 }, (_, i) => ok(`u${i}@example.test`));
    await expect(inviteUsers(ctx, { invitations: tooMany })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'invitations' },
    });

    expect(await countsOf(s, org.id)).toEqual(before);
    const row = await s.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', existing.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual(existing);
  });

  it('accepts 100 entries in one call', async () => {
    const s = rt.services;
    const { org, ctx } = await adminOf(s);
    const entries = Array.from({ length: 100 }, (_, i) => ({ email: `p${i}@example.test`, role: 'viewer' }));
    const result = await inviteUsers(ctx, { invitations: entries });
    expect(result.map((r) => r.user.email)).toEqual(entries.map((e) => e.email));
    expect(new Set(result.map((r) => r.link)).size).toBe(100);
    expect(await countsOf(s, org.id)).toMatchObject({ users: 101, invitations: 100, events: 100 });
  });

  it('lets only holders of users:invite invite, and only roles within their own rights', async () => {
    const s = rt.services;
    const viewer = await adminOf(s, 'viewer');
    await expect(
      inviteUsers(viewer.ctx, { invitations: [{ email: 'v@example.test', role: 'viewer' }] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // FORBIDDEN comes first, whatever the input
    await expect(inviteUsers(viewer.ctx, { nonsense: true } as never)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    const manager = await adminOf(s, 'user_manager');
    await expect(
      inviteUsers(manager.ctx, { invitations: [{ email: 'm@example.test', role: 'administrator' }] }),
    ).rejects.toMatchObject({ code: 'ROLE_NOT_GRANTABLE' });
    await expect(
      inviteUsers(manager.ctx, { invitations: [{ email: 'm@example.test', role: 'user_manager' }] }),
    ).resolves.toHaveLength(1);

    const owner = await adminOf(s, 'owner');
    const [o] = await inviteUsers(owner.ctx, { invitations: [{ email: 'co@example.test', role: 'owner' }] });
    expect(o!.user.role).toBe('owner');
  });

  it('keeps emails unique per organisation only', async () => {
    const s = rt.services;
    const a = await adminOf(s);
    const b = await adminOf(s);
    await inviteUsers(a.ctx, { invitations: [{ email: 'same@example.test', role: 'viewer' }] });
    await expect(
      inviteUsers(b.ctx, { invitations: [{ email: 'SAME@example.test', role: 'viewer' }] }),
    ).resolves.toHaveLength(1);
    await expect(
      inviteUsers(a.ctx, { invitations: [{ email: 'Same@Example.test', role: 'viewer' }] }),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN', details: { field: 'invitations.0.email' } });
  });
});
