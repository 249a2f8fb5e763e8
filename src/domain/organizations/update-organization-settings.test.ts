import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { Services } from '../shared/context.js';
import { inviteUsers } from '../users/invite-users.js';
import { updateOrganizationSettings } from './update-organization-settings.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function eventsOf(s: Services, orgId: string) {
  return s.db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();
}

describe('updateOrganizationSettings', () => {
  it('changes the given settings only, audits the change, and new invitations follow it', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    await s.db
      .updateTable('organizations')
      .set({ settings: JSON.stringify({ invitationTtlDays: 7, theme: 'dark' }) })
      .where('id', '=', org.id)
      .execute();
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const ctx = contextFor(s, await actorFor(s, admin));

    const updated = await updateOrganizationSettings(ctx, { invitationTtlDays: 14, sessionIdleMinutes: 30 });

    expect(updated.settings).toEqual({ invitationTtlDays: 14, sessionIdleMinutes: 30, theme: 'dark' });
    expect(updated.updated_at.getTime()).toBe(rt.clock.now().getTime());
    const events = await eventsOf(s, org.id);
    expect(events.map((e) => e.action)).toEqual(['organization.updated']);
    expect(events[0]).toMatchObject({ actor_id: admin.id, target_type: 'organization', target_id: org.id });
    expect(events[0]!.changes).toEqual({
      invitationTtlDays: { from: 7, to: 14 },
      sessionIdleMinutes: { from: null, to: 30 },
    });

    const [r] = await inviteUsers(ctx, { invitations: [{ email: 'ttl@example.test', role: 'viewer' }] });
    expect(r!.invitation.invitation.expires_at.getTime()).toBe(rt.clock.now().getTime() + 14 * 86_400_000);

    // the same values again, or nothing at all: no event
    await updateOrganizationSettings(ctx, { invitationTtlDays: 14 });
    await updateOrganizationSettings(ctx, {});
    expect((await eventsOf(s, org.id)).filter((e) => e.action === 'organization.updated')).toHaveLength(1);
  });

  it('enforces bounds, refuses unknown settings, needs organization:update, and writes nothing when refused', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const ctx = contextFor(s, await actorFor(s, admin));
    const bad: [Record<string, unknown>, string][] = [
      [{ invitationTtlDays: 0 }, 'invitationTtlDays'],
      [{ invitationTtlDays: 91 }, 'invitationTtlDays'],
      [{ invitationTtlDays: 1.5 }, 'invitationTtlDays'],
      [{ sessionIdleMinutes: 4 }, 'sessionIdleMinutes'],
      [{ sessionIdleMinutes: 1441 }, 'sessionIdleMinutes'],
      [{ sessionAbsoluteHours: 0 }, 'sessionAbsoluteHours'],
      [{ sessionAbsoluteHours: 721 }, 'sessionAbsoluteHours'],
      [{ sessionIdleMinutes: 180, sessionAbsoluteHours: 2 }, 'sessionIdleMinutes'],
    ];
    for (const [input, field] of bad) {
      await expect(updateOrganizationSettings(ctx, input), field).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field },
      });
    }
    await expect(updateOrganizationSettings(ctx, { name: 'Evil' } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unknownFields: ['name'] },
    });
    for (const role of ['user_manager', 'security_officer', 'auditor', 'viewer'] as const) {
      const c = contextFor(s, await actorFor(s, await createUser(s, org.id, { role })));
      await expect(updateOrganizationSettings(c, { invitationTtlDays: 3 }), role).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    const row = await s.db
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual(org);
    expect(await eventsOf(s, org.id)).toHaveLength(0);

    // another organisation's settings are out of reach: the actor's own organisation is the only target
    const other = await createOrg(s);
    await updateOrganizationSettings(ctx, { invitationTtlDays: 30 });
    const untouched = await s.db
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', other.id)
      .executeTakeFirstOrThrow();
    expect(untouched.settings).toEqual(other.settings);
  });
});
