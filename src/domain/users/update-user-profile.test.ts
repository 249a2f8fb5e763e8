import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { Services } from '../shared/context.js';
import { updateUserProfile } from './update-user-profile.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function eventsOf(s: Services, orgId: string) {
  return s.db.selectFrom('audit_events').selectAll().where('org_id', '=', orgId).orderBy('seq').execute();
}
const rowOf = (s: Services, id: string) =>
  s.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('updateUserProfile', () => {
  it('lets users edit their own profile, keeps search_text in step and audits only the changed fields', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const me = await createUser(s, org.id, {
      role: 'viewer',
      displayName: 'Old Name',
      email: 'Me@Example.test',
    });
    const ctx = contextFor(s, await actorFor(s, me));

    const updated = await updateUserProfile(ctx, {
      userId: me.id,
      displayName: '  New Name ',
      jobTitle: 'Detective',
      phone: '+44 20 7946 0000',
      locale: 'fr-ca',
      timeZone: 'america/toronto',
      jobTitle2: undefined,
    } as never).catch((e: unknown) => e);
    expect(updated).toMatchObject({ code: 'VALIDATION_FAILED', details: { unknownFields: ['jobTitle2'] } });

    const u = await updateUserProfile(ctx, {
      userId: me.id,
      displayName: '  New Name ',
      jobTitle: 'Detective',
      phone: '+44 20 7946 0000',
      locale: 'fr-ca',
      timeZone: 'america/toronto',
      expectedVersion: me.version,
    });
    expect(u).toMatchObject({
      display_name: 'New Name',
      search_text: 'new name me@example.test',
      job_title: 'Detective',
      phone: '+44 20 7946 0000',
      locale: 'fr-CA',
      time_zone: 'America/Toronto',
      version: me.version + 1,
      email: 'Me@Example.test',
    });
    const events = await eventsOf(s, org.id);
    expect(events.map((e) => e.action)).toEqual(['user.updated']);
    expect(events[0]).toMatchObject({ actor_id: me.id, target_id: me.id });
    expect(events[0]!.changes).toEqual({
      displayName: { from: 'Old Name', to: 'New Name' },
      jobTitle: { from: null, to: 'Detective' },
      phone: { from: null, to: '+44 20 7946 0000' },
      locale: { from: null, to: 'fr-CA' },
      timeZone: { from: null, to: 'America/Toronto' },
    });

    // the same values again: nothing written
    const same = await updateUserProfile(ctx, {
      userId: me.id.toUpperCase(), // still the user's own id
      displayName: 'New Name',
      locale: 'fr-CA',
    });
    expect(same.version).toBe(u.version);
    expect((await eventsOf(s, org.id)).length).toBe(1);

    // only what changed is recorded; null clears
    await updateUserProfile(ctx, { userId: me.id, displayName: 'New Name', jobTitle: null });
    const last = (await eventsOf(s, org.id)).at(-1)!;
    expect(last.changes).toEqual({ jobTitle: { from: 'Detective', to: null } });
    expect((await rowOf(s, me.id)).version).toBe(u.version + 1);
  });

  it('refuses identifying and privileged fields, naming them, and writes nothing', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const me = await createUser(s, org.id, { role: 'administrator' });
    const ctx = contextFor(s, await actorFor(s, me));
    for (const field of ['email', 'status', 'role', 'orgId', 'version']) {
      await expect(updateUserProfile(ctx, { userId: me.id, [field]: 'x' } as never)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { unknownFields: [field] },
      });
    }
    const proto = JSON.parse(`{"userId":"${me.id}","__proto__":{"role":"owner"}}`);
    await expect(updateUserProfile(ctx, proto)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unknownFields: ['__proto__'] },
    });
    const protoAttr = JSON.parse(`{"userId":"${me.id}","attributes":{"__proto__":{"x":1},"ok":1}}`);
    await expect(updateUserProfile(ctx, protoAttr)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'attributes.__proto__' },
    });
    const bad: [Record<string, unknown>, string][] = [
      [{ locale: 'en_GB' }, 'locale'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ timeZone: '+01:00' }, 'timeZone'],
      [{ phone: 'call me' }, 'phone'],
      [{ displayName: '   ' }, 'displayName'],
      [{ displayName: 'x'.repeat(201) }, 'displayName'],
      [{ attributes: { '1st': 1 } }, 'attributes.1st'],
      [{ attributes: { nested: { a: 1 } } }, 'attributes.nested'],
      [{ attributes: { long: 'x'.repeat(1001) } }, 'attributes.long'],
      [{ attributes: [1, 2] }, 'attributes'],
      [{ attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }, 'attributes'],
    ];
    for (const [input, field] of bad) {
      await expect(updateUserProfile(ctx, { userId: me.id, ...input } as never), field).rejects.toMatchObject(
        {
          code: 'VALIDATION_FAILED',
          details: { field },
        },
      );
    }
    expect(await rowOf(s, me.id)).toEqual(me);
    expect((await eventsOf(s, org.id)).length).toBe(0);
  });

  it('needs users:update for others and for attributes; another organisation’s user is not found', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const viewer = await createUser(s, org.id, { role: 'viewer' });
    const colleague = await createUser(s, org.id, { role: 'viewer' });
    const viewerCtx = contextFor(s, await actorFor(s, viewer));
    await expect(updateUserProfile(viewerCtx, { userId: colleague.id, jobTitle: 'x' })).rejects.toMatchObject(
      {
        code: 'FORBIDDEN',
      },
    );
    await expect(
      updateUserProfile(viewerCtx, { userId: viewer.id, attributes: { badge: 'A1' } }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { field: 'attributes' },
    });

    const manager = await createUser(s, org.id, { role: 'user_manager' });
    const ctx = contextFor(s, await actorFor(s, manager));
    const u = await updateUserProfile(ctx, {
      userId: colleague.id,
      attributes: { badge: 'A1', clearance: 3, vetted: true, note: null },
    });
    expect(u.attributes).toEqual({ badge: 'A1', clearance: 3, vetted: true, note: null });
    // same attributes in another key order: no change
    const again = await updateUserProfile(ctx, {
      userId: colleague.id,
      attributes: { vetted: true, note: null, clearance: 3, badge: 'A1' },
    });
    expect(again.version).toBe(u.version);
    const replaced = await updateUserProfile(ctx, { userId: colleague.id, attributes: { badge: 'B2' } });
    expect(replaced.attributes).toEqual({ badge: 'B2' });
    const events = await eventsOf(s, org.id);
    expect(events.map((e) => e.action)).toEqual(['user.updated', 'user.updated']);
    expect(events[1]!.changes).toEqual({
      attributes: { from: { badge: 'A1', clearance: 3, note: null, vetted: true }, to: { badge: 'B2' } },
    });
    await expect(
      updateUserProfile(ctx, { userId: colleague.id, jobTitle: 'x', expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });

    const other = await createOrg(s);
    const stranger = await createUser(s, other.id);
    const a = await updateUserProfile(ctx, { userId: stranger.id, jobTitle: 'x' }).catch((e: unknown) => e);
    const b = await updateUserProfile(ctx, {
      userId: '00000000-0000-4000-8000-000000000000',
      jobTitle: 'x',
    }).catch((e: unknown) => e);
    expect(a).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    expect(b).toMatchObject({ code: 'NOT_FOUND', message: 'Not found.' });
    expect(await rowOf(s, stranger.id)).toEqual(stranger);
  });
});
