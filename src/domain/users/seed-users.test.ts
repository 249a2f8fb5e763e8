import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { generateSeedBatch, seededRandom } from './seed-data.js';
import { seedUsers } from './seed-users.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

describe('seedUsers', () => {
  it('inserts varied users in batches with one audit event, and adds new ones on a second run', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const r = await seedUsers(s, { orgId: org.id, count: 1200, batchSize: 500 });
    expect(r).toMatchObject({ inserted: 1200, skipped: 0 });
    expect(r.rowsPerSecond).toBeGreaterThan(0);

    const rows = await s.db.selectFrom('users').selectAll().where('org_id', '=', org.id).execute();
    expect(rows).toHaveLength(1200);
    const distinct = (f: (u: (typeof rows)[number]) => unknown) => new Set(rows.map(f)).size;
    expect(distinct((u) => u.status)).toBe(4);
    expect(distinct((u) => u.role)).toBeGreaterThanOrEqual(6);
    expect(rows.some((u) => u.role === 'owner')).toBe(false);
    expect(rows.some((u) => u.last_active_at === null)).toBe(true);
    expect(distinct((u) => u.created_at.getTime())).toBeLessThan(1200); // bursts share an instant
    for (const u of rows) {
      expect(u.search_text).toBe(`${u.display_name} ${u.email}`.toLowerCase());
      expect(u.password_hash).toBeNull();
      if (u.status === 'invited') expect(u.last_login_at).toBeNull();
    }
    // A recorded sign-in has its session (ended), and no session exists without one: the user page's
    // "last sign-in" and its sessions agree.
    const sessions = await s.db.selectFrom('sessions').selectAll().where('org_id', '=', org.id).execute();
    const signedIn = rows.filter((u) => u.last_login_at !== null);
    expect(signedIn.length).toBeGreaterThan(0);
    expect(sessions).toHaveLength(signedIn.length);
    const byUser = new Map(sessions.map((x) => [x.user_id, x]));
    for (const u of signedIn) {
      const session = byUser.get(u.id);
      expect(session?.created_at.getTime()).toBe(u.last_login_at?.getTime());
      expect(session!.idle_expires_at.getTime()).toBeLessThanOrEqual(Date.now());
    }

    const events = await s.db.selectFrom('audit_events').selectAll().where('org_id', '=', org.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'users.seeded', actor_type: 'cli', target_id: org.id });
    expect(events[0]?.changes).toMatchObject({ count: 1200, requested: 1200 });

    const again = await seedUsers(s, { orgId: org.id, count: 300 });
    expect(again.inserted).toBe(300);
    const total = await s.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(Number(total.n)).toBe(1500);
  });

  it('is deterministic for a seed and refuses an unknown organisation or a bad size', async () => {
    const now = new Date('2026-11-27T00:00:00Z');
    const a = generateSeedBatch(seededRandom(42), 0, 50, now);
    const b = generateSeedBatch(seededRandom(42), 0, 50, now);
    const c = generateSeedBatch(seededRandom(43), 0, 50, now);
    expect(a).toEqual(b);
    expect(a.email).not.toEqual(c.email);
    await expect(
      seedUsers(rt.services, { orgId: '00000000-0000-4000-8000-000000000000', count: 10 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const org = await createOrg(rt.services);
    await expect(seedUsers(rt.services, { orgId: org.id, count: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
