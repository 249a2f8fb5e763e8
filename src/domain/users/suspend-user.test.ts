import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { suspendUser } from './suspend-user.js';
import { reactivateUser } from './reactivate-user.js';
import { deactivateUser } from './deactivate-user.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

describe('suspend, reactivate, deactivate', () => {
  it('suspends with a reason, revokes sessions at once, audits in the same transaction', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const target = await createUser(s, org.id);
    const targetActor = await actorFor(s, target);
    const ctx = contextFor(s, await actorFor(s, admin));
    const until = new Date(rt.clock.now().getTime() + 86_400_000);

    const updated = await suspendUser(ctx, { userId: target.id, reason: 'Lost laptop', until });

    expect(updated.status).toBe('suspended');
    expect(updated.status_reason).toBe('Lost laptop');
    expect(updated.suspended_until?.getTime()).toBe(until.getTime());
    expect(updated.version).toBe(target.version + 1);
    expect(targetActor.type === 'user' && s.revocations.isRevoked(targetActor.sessionId)).toBe(true);
    const events = await s.db.selectFrom('audit_events').selectAll().where('org_id', '=', org.id).execute();
    expect(events.map((e) => e.action)).toEqual(['user.suspended']);
    expect(events[0]).toMatchObject({ actor_id: admin.id, target_id: target.id, reason: 'Lost laptop' });
    expect(events[0]?.changes).toMatchObject({ status: { from: 'active', to: 'suspended' } });

    const back = await reactivateUser(ctx, { userId: target.id });
    expect(back.status).toBe('active');
    const gone = await deactivateUser(ctx, { userId: target.id, reason: 'Left the force' });
    expect(gone.status).toBe('deactivated');
    await expect(reactivateUser(ctx, { userId: target.id })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
    });
  });

  it('refuses a blank reason, a past end, an unknown field, a stale version and leaves nothing written', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const target = await createUser(s, org.id);
    const ctx = contextFor(s, await actorFor(s, admin));
    await expect(suspendUser(ctx, { userId: target.id, reason: '  ' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(
      suspendUser(ctx, { userId: target.id, reason: 'x', until: new Date(rt.clock.now().getTime() - 1000) }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(
      suspendUser(ctx, { userId: target.id, reason: 'x', status: 'active' } as never),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { unknownFields: ['status'] } });
    await expect(
      suspendUser(ctx, { userId: target.id, reason: 'x', expectedVersion: target.version + 5 }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    const row = await s.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', target.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
    const events = await s.db.selectFrom('audit_events').select('seq').where('org_id', '=', org.id).execute();
    expect(events).toHaveLength(0);
  });

  it('answers another organisation’s user exactly like a missing one, and refuses the last owner', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const other = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const stranger = await createUser(s, other.id);
    const ctx = contextFor(s, await actorFor(s, owner));
    const a = await suspendUser(ctx, { userId: stranger.id, reason: 'x' }).catch((e: unknown) => e);
    const b = await suspendUser(ctx, { userId: '00000000-0000-4000-8000-000000000000', reason: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(a).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    expect(b).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    await expect(suspendUser(ctx, { userId: owner.id, reason: 'x' })).rejects.toMatchObject({
      code: 'CANNOT_TARGET_SELF',
    });
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const adminCtx = contextFor(s, await actorFor(s, admin));
    // An administrator may not act on an owner at all, and learns nothing about how many owners are left:
    // FORBIDDEN before any last-owner check (issue 10, point 7). The system actor still meets LAST_OWNER.
    await expect(deactivateUser(adminCtx, { userId: owner.id, reason: 'coup' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const systemCtx = contextFor(s, { type: 'system', orgId: org.id, name: 'cli' });
    await expect(deactivateUser(systemCtx, { userId: owner.id, reason: 'coup' })).rejects.toMatchObject({
      code: 'LAST_OWNER',
    });
  });
});
