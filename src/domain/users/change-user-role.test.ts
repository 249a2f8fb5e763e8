import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { canGrantRole, compareRoles, roleHas, roleKeys, type RoleKey } from '../../authz/roles.js';
import type { Services } from '../shared/context.js';
import { changeUserRole } from './change-user-role.js';
import { deactivateUser } from './deactivate-user.js';
import { inviteUsers } from './invite-users.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function orgWith(s: Services, actorRole: RoleKey) {
  const org = await createOrg(s);
  const owner = await createUser(s, org.id, { role: 'owner' });
  const actor = actorRole === 'owner' ? owner : await createUser(s, org.id, { role: actorRole });
  return { org, owner, actor, ctx: contextFor(s, await actorFor(s, actor)) };
}

async function eventsOf(s: Services, orgId: string) {
  return s.db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();
}

async function sessionsOf(s: Services, userId: string) {
  return s.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
}

describe('changeUserRole', () => {
  it('downgrades: version bump, permission diff in the audit, sessions ended in the same transaction', async () => {
    const s = rt.services;
    const { org, actor, ctx } = await orgWith(s, 'administrator');
    const target = await createUser(s, org.id, { role: 'user_manager' });
    const targetActor = await actorFor(s, target);

    const updated = await changeUserRole(ctx, {
      userId: target.id,
      role: 'analyst',
      expectedVersion: target.version,
    });

    expect(updated).toMatchObject({ role: 'analyst', version: target.version + 1 });
    const events = await eventsOf(s, org.id);
    expect(events.map((e) => e.action)).toEqual(['user.role_changed']);
    expect(events[0]).toMatchObject({ actor_id: actor.id, target_id: target.id });
    const { gained, lost } = compareRoles('user_manager', 'analyst');
    expect(events[0]!.changes).toEqual({ role: { from: 'user_manager', to: 'analyst' }, gained, lost });
    expect(lost).toContain('users:invite');
    expect(gained).toContain('reports:export');
    expect((await sessionsOf(s, target.id)).every((x) => x.revoked_reason === 'user.role_changed')).toBe(
      true,
    );
    expect(targetActor.type === 'user' && s.revocations.isRevoked(targetActor.sessionId)).toBe(true);
  });

  it('upgrades without ending sessions', async () => {
    const s = rt.services;
    const { org, ctx } = await orgWith(s, 'administrator');
    const target = await createUser(s, org.id, { role: 'viewer' });
    const targetActor = await actorFor(s, target);
    const updated = await changeUserRole(ctx, { userId: target.id, role: 'analyst' });
    expect(updated.role).toBe('analyst');
    expect((await eventsOf(s, org.id))[0]!.changes).toMatchObject({
      lost: [],
      gained: ['reports:create', 'reports:export'],
    });
    expect((await sessionsOf(s, target.id)).every((x) => x.revoked_at === null)).toBe(true);
    expect(targetActor.type === 'user' && s.revocations.isRevoked(targetActor.sessionId)).toBe(false);
  });

  it('needs the right to grant both the current and the new role; ownership needs manage_ownership', async () => {
    const s = rt.services;
    // only the owner role holds organization:manage_ownership, so canGrantRole covers ownership
    for (const r of roleKeys) {
      expect(canGrantRole(r, 'owner')).toBe(roleHas(r, 'organization:manage_ownership'));
    }
    const { org, ctx } = await orgWith(s, 'administrator');
    const owner2 = await createUser(s, org.id, { role: 'owner' });
    const viewer = await createUser(s, org.id, { role: 'viewer' });
    await expect(changeUserRole(ctx, { userId: viewer.id, role: 'owner' })).rejects.toMatchObject({
      code: 'ROLE_NOT_GRANTABLE',
    });
    // an owner is acted on only by owners: FORBIDDEN, like any target out of reach
    await expect(changeUserRole(ctx, { userId: owner2.id, role: 'viewer' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    const m = await orgWith(s, 'user_manager');
    const admin = await createUser(s, m.org.id, { role: 'administrator' });
    const analyst = await createUser(s, m.org.id, { role: 'analyst' });
    // an administrator's role holds permissions a user manager lacks: not to be acted on at all
    await expect(changeUserRole(m.ctx, { userId: admin.id, role: 'viewer' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    // the analyst role holds reports:create/export, which a user manager lacks
    await expect(changeUserRole(m.ctx, { userId: analyst.id, role: 'viewer' })).rejects.toMatchObject({
      code: 'ROLE_NOT_GRANTABLE',
    });
    const v = await createUser(s, m.org.id, { role: 'viewer' });
    await expect(changeUserRole(m.ctx, { userId: v.id, role: 'user_manager' })).resolves.toMatchObject({
      role: 'user_manager',
    });
    await expect(changeUserRole(m.ctx, { userId: v.id, role: ' owner' })).rejects.toMatchObject({
      code: 'UNKNOWN_ROLE',
    });

    const o = await orgWith(s, 'owner');
    const promoted = await createUser(s, o.org.id, { role: 'administrator' });
    await expect(changeUserRole(o.ctx, { userId: promoted.id, role: 'owner' })).resolves.toMatchObject({
      role: 'owner',
    });
    await expect(
      changeUserRole(o.ctx, { userId: promoted.id, role: 'administrator' }),
    ).resolves.toMatchObject({
      role: 'administrator',
    });
    expect((await eventsOf(s, org.id)).length).toBe(0);
  });

  it('keeps the last active owner, refuses self, deactivated users, same role and stale versions', async () => {
    const s = rt.services;
    const { org, owner, ctx } = await orgWith(s, 'owner');
    await expect(changeUserRole(ctx, { userId: owner.id, role: 'administrator' })).rejects.toMatchObject({
      code: 'CANNOT_TARGET_SELF',
    });
    const second = await createUser(s, org.id, { role: 'owner' });
    const secondCtx = contextFor(s, await actorFor(s, second));
    // two active owners: one may demote the other, but then the last one stays
    await expect(
      changeUserRole(secondCtx, { userId: owner.id, role: 'administrator' }),
    ).resolves.toMatchObject({
      role: 'administrator',
    });
    const systemCtx = contextFor(s, { type: 'system', orgId: org.id, name: 'cli' });
    await expect(
      changeUserRole(systemCtx, { userId: second.id, role: 'administrator' }),
    ).rejects.toMatchObject({
      code: 'LAST_OWNER',
    });

    const gone = await createUser(s, org.id, { role: 'viewer' });
    await deactivateUser(secondCtx, { userId: gone.id, reason: 'Left' });
    await expect(changeUserRole(secondCtx, { userId: gone.id, role: 'analyst' })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
    const v = await createUser(s, org.id, { role: 'viewer' });
    await expect(changeUserRole(secondCtx, { userId: v.id, role: 'viewer' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'The user already has this role.',
    });
    await expect(
      changeUserRole(secondCtx, { userId: v.id, role: 'analyst', expectedVersion: v.version + 1 }),
    ).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
    });
    await expect(
      changeUserRole(secondCtx, { userId: v.id, role: 'analyst', status: 'active' } as never),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unknownFields: ['status'] },
    });
    const row = await s.db.selectFrom('users').selectAll().where('id', '=', v.id).executeTakeFirstOrThrow();
    expect(row).toEqual(v);
    const actions = (await eventsOf(s, org.id)).map((e) => e.action);
    expect(actions).toEqual(['user.role_changed', 'user.deactivated']);
  });

  it('needs users:change_role; another organisation’s user is not found; an invited user’s link follows', async () => {
    const s = rt.services;
    const { org, ctx } = await orgWith(s, 'administrator');
    const officer = contextFor(
      s,
      await actorFor(s, await createUser(s, org.id, { role: 'security_officer' })),
    );
    const target = await createUser(s, org.id);
    await expect(changeUserRole(officer, { userId: target.id, role: 'analyst' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const other = await orgWith(s, 'administrator');
    const stranger = await createUser(s, other.org.id);
    const a = await changeUserRole(ctx, { userId: stranger.id, role: 'analyst' }).catch((e: unknown) => e);
    const b = await changeUserRole(ctx, {
      userId: '00000000-0000-4000-8000-000000000000',
      role: 'analyst',
    }).catch((e: unknown) => e);
    expect(a).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    expect(b).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    expect(
      (await s.db.selectFrom('users').select('role').where('id', '=', stranger.id).executeTakeFirstOrThrow())
        .role,
    ).toBe('viewer');

    const [inv] = await inviteUsers(ctx, { invitations: [{ email: 'soon@example.test', role: 'viewer' }] });
    await changeUserRole(ctx, { userId: inv!.user.id, role: 'investigator' });
    const row = await s.db
      .selectFrom('invitations')
      .select('role')
      .where('id', '=', inv!.invitation.invitation.id)
      .executeTakeFirstOrThrow();
    expect(row.role).toBe('investigator');
  });
});
