import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../shared/context.js';
import { createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { expireInvitations } from './expire-invitations.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const day = 86_400_000;

/** An invited user with one invitation row (the link itself is not needed here). */
async function invite(s: Services, orgId: string, expiresAt: Date, status = 'pending') {
  const user = await createUser(s, orgId, { status: 'invited' });
  return s.db
    .insertInto('invitations')
    .values({
      org_id: orgId,
      user_id: user.id,
      token_hash: randomBytes(32).toString('hex'),
      role: 'viewer',
      status,
      expires_at: expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

describe('expireInvitations', () => {
  it('expires only pending invitations past their end, audited by the scheduler, once', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const now = rt.clock.now();
    const lapsed = await invite(s, org.id, new Date(now.getTime() - day));
    const open = await invite(s, org.id, new Date(now.getTime() + day));
    const accepted = await invite(s, org.id, new Date(now.getTime() - day), 'accepted');

    const first = await expireInvitations(s, now, { requestId: 'job:test-2' });

    expect(first).toEqual({ expired: 1 });
    const rows = await s.db
      .selectFrom('invitations')
      .select(['id', 'status', 'ended_at'])
      .where('org_id', '=', org.id)
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    // 'expired' is not 'pending': acceptance refuses the link from now on.
    expect(byId.get(lapsed.id)?.status).toBe('expired');
    expect(byId.get(lapsed.id)?.ended_at?.getTime()).toBe(now.getTime());
    expect(byId.get(open.id)).toMatchObject({ status: 'pending', ended_at: null });
    expect(byId.get(accepted.id)?.status).toBe('accepted');
    const user = await s.db
      .selectFrom('users')
      .select('status')
      .where('id', '=', lapsed.user_id)
      .executeTakeFirstOrThrow();
    expect(user.status).toBe('invited');

    const events = await s.db.selectFrom('audit_events').selectAll().where('org_id', '=', org.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'invitation.expired',
      actor_type: 'system',
      actor_id: null,
      target_type: 'invitation',
      target_id: lapsed.id,
      request_id: 'job:test-2',
    });
    expect(events[0]?.changes).toMatchObject({ status: { from: 'pending', to: 'expired' } });

    expect(await expireInvitations(s, now)).toEqual({ expired: 0 });
    const after = await s.db.selectFrom('audit_events').select('seq').where('org_id', '=', org.id).execute();
    expect(after).toHaveLength(1);

    // A day later the other one lapses too.
    rt.clock.advance(2 * day);
    expect(await expireInvitations(s, rt.clock.now())).toEqual({ expired: 1 });
  });

  it('two runs at once, in small batches across organisations, expire each invitation exactly once', async () => {
    const s = rt.services;
    const orgs = [await createOrg(s), await createOrg(s), await createOrg(s)];
    const now = rt.clock.now();
    const invitations = [];
    for (let i = 0; i < 21; i++) {
      invitations.push(await invite(s, orgs[i % 3]!.id, new Date(now.getTime() - (i + 1) * 60_000)));
    }

    const [a, b] = await Promise.all([expireInvitations(s, now, {}, 4), expireInvitations(s, now, {}, 4)]);

    expect(a!.expired + b!.expired).toBe(invitations.length);
    const statuses = await s.db
      .selectFrom('invitations')
      .select('status')
      .where(
        'id',
        'in',
        invitations.map((i) => i.id),
      )
      .execute();
    expect(statuses.every((r) => r.status === 'expired')).toBe(true);
    const events = await s.db
      .selectFrom('audit_events')
      .select(['org_id', 'seq', 'target_id'])
      .where(
        'org_id',
        'in',
        orgs.map((o) => o.id),
      )
      .orderBy('org_id')
      .orderBy('seq')
      .execute();
    expect(events).toHaveLength(invitations.length);
    expect(new Set(events.map((e) => e.target_id)).size).toBe(invitations.length);
    for (const org of orgs) {
      const seqs = events.filter((e) => e.org_id === org.id).map((e) => e.seq);
      expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    }
  });
});
