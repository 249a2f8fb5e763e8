import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { endDueSuspensions } from './end-due-suspensions.js';
import { suspendUser } from './suspend-user.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const hour = 3_600_000;
const day = 24 * hour;

describe('endDueSuspensions', () => {
  it('reinstates only users whose suspension has ended, audited by the scheduler, once', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const ctx = contextFor(s, await actorFor(s, admin));
    const [due, later, indefinite] = [
      await createUser(s, org.id),
      await createUser(s, org.id),
      await createUser(s, org.id),
    ];
    const start = rt.clock.now().getTime();
    await suspendUser(ctx, { userId: due!.id, reason: 'Inquiry', until: new Date(start + day) });
    await suspendUser(ctx, { userId: later!.id, reason: 'Inquiry', until: new Date(start + 3 * day) });
    await suspendUser(ctx, { userId: indefinite!.id, reason: 'Inquiry' });
    // Two days on: the first ended yesterday, the second ends tomorrow, the third never ends by itself.
    rt.clock.advance(2 * day);

    const first = await endDueSuspensions(s, rt.clock.now(), { requestId: 'job:test-1' });

    expect(first).toEqual({ reinstated: 1, skipped: 0, failed: 0 });
    const rows = await s.db
      .selectFrom('users')
      .select(['id', 'status', 'status_reason', 'suspended_until', 'version'])
      .where('org_id', '=', org.id)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(due!.id)).toMatchObject({
      status: 'active',
      status_reason: null,
      suspended_until: null,
      version: due!.version + 2,
    });
    expect(byId.get(later!.id)?.status).toBe('suspended');
    expect(byId.get(indefinite!.id)?.status).toBe('suspended');

    const ended = await s.db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('action', '=', 'user.suspension_ended')
      .execute();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      actor_type: 'system',
      actor_id: null,
      target_type: 'user',
      target_id: due!.id,
      request_id: 'job:test-1',
    });
    expect(ended[0]?.occurred_at.getTime()).toBe(rt.clock.now().getTime());
    expect(ended[0]?.changes).toMatchObject({ status: { from: 'suspended', to: 'active' } });

    const second = await endDueSuspensions(s, rt.clock.now());
    expect(second).toEqual({ reinstated: 0, skipped: 0, failed: 0 });
    const count = await s.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(4); // three suspensions and one reinstatement
  });

  it('two runs at once, in small batches across organisations, reinstate each user exactly once', async () => {
    const s = rt.services;
    const orgs = [await createOrg(s), await createOrg(s)];
    const now = rt.clock.now();
    const users = [];
    for (let i = 0; i < 24; i++) {
      const org = orgs[i % 2]!;
      const u = await createUser(s, org.id, { status: 'suspended' });
      // Due at different moments in the past, so the batches' keyset crosses several timestamps.
      await s.db
        .updateTable('users')
        .set({ suspended_until: new Date(now.getTime() - (i % 5) * hour - 1000), status_reason: 'x' })
        .where('id', '=', u.id)
        .execute();
      users.push(u);
    }

    const [a, b] = await Promise.all([endDueSuspensions(s, now, {}, 5), endDueSuspensions(s, now, {}, 5)]);

    expect(a!.failed + b!.failed).toBe(0);
    expect(a!.reinstated + b!.reinstated).toBe(users.length);
    const statuses = await s.db
      .selectFrom('users')
      .select('status')
      .where(
        'id',
        'in',
        users.map((u) => u.id),
      )
      .execute();
    expect(statuses.every((r) => r.status === 'active')).toBe(true);
    const events = await s.db
      .selectFrom('audit_events')
      .select(['org_id', 'seq', 'target_id'])
      .where(
        'org_id',
        'in',
        orgs.map((o) => o.id),
      )
      .where('action', '=', 'user.suspension_ended')
      .orderBy('org_id')
      .orderBy('seq')
      .execute();
    expect(events).toHaveLength(users.length);
    expect(new Set(events.map((e) => e.target_id)).size).toBe(users.length);
    for (const org of orgs) {
      // The hash chain of each organisation has no gap: 1..n.
      const seqs = events.filter((e) => e.org_id === org.id).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
  });
});
