import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../db/transaction.js';
import { nudgeDelivery } from '../domain/notifications/delivery-nudge.js';
import { enqueueEmails } from '../domain/notifications/outbox.js';
import { createDevelopmentTransport } from '../email/development-transport.js';
import { actorFor, contextFor, createOrg, createUser } from '../../test/support/factories.js';
import { suspendUser } from '../domain/users/suspend-user.js';
import { openTestRuntime, type TestRuntime } from '../../test/support/test-runtime.js';
import { DeliveryLoop } from './delivery-loop.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('outbox delivery loop', () => {
  it('delivers right after a nudge, not waiting for its timer, and stops cleanly', async () => {
    const s = rt.services;
    const runs: number[] = [];
    // An hour between ticks: only the first tick (at start) and the nudge can deliver.
    const loop = new DeliveryLoop(
      s,
      createDevelopmentTransport(s.db, pino({ level: 'silent' })),
      3_600_000,
      (c) => runs.push(c.sent),
    );
    loop.start();
    try {
      await waitFor(async () => runs.length >= 1);
      const org = await createOrg(s);
      const [id] = await withTransaction(s.db, async (scope) => {
        scope.onCommit(() => nudgeDelivery());
        return enqueueEmails(scope.trx, rt.config.publicUrl, [
          {
            orgId: org.id,
            dedupeKey: 'loop:1',
            kind: 'test.notice',
            recipientUserId: null,
            recipientEmail: 'someone@example.test',
            subject: 'Hello',
            text: 'Hello',
            html: '<p>Hello</p>',
          },
        ]);
      });
      // Mail is due by the database's clock at enqueue; the loop reads the manual clock.
      rt.clock.set(new Date(Date.now() + 1000));
      nudgeDelivery();
      const delivered = await waitFor(async () => {
        const row = await s.db
          .selectFrom('outbox_messages')
          .select('status')
          .where('id', '=', id!)
          .executeTakeFirst();
        return row?.status === 'sent';
      });
      expect(delivered).toBe(true);
      expect(
        await s.db.selectFrom('dev_mailbox').select('id').where('org_id', '=', org.id).execute(),
      ).toHaveLength(1);
    } finally {
      await loop.stop();
    }
    // After stop a nudge does nothing.
    const before = runs.length;
    nudgeDelivery();
    loop.nudge();
    expect(runs.length).toBe(before);
  });

  it('fans out a committed notice right after the nudge, in this process (as on the embedded database)', async () => {
    const s = rt.services;
    const loop = new DeliveryLoop(s, createDevelopmentTransport(s.db, pino({ level: 'silent' })), 3_600_000);
    loop.start();
    try {
      const org = await createOrg(s);
      const owner = await createUser(s, org.id, { role: 'owner' });
      const officer = await createUser(s, org.id, { role: 'security_officer' });
      const target = await createUser(s, org.id);
      // suspendUser nudges after commit; the loop then fans the notice out to the officer.
      await suspendUser(contextFor(s, await actorFor(s, owner)), { userId: target.id, reason: 'Loop' });
      const told = await waitFor(async () => {
        const n = await s.db
          .selectFrom('notifications')
          .select('id')
          .where('org_id', '=', org.id)
          .where('user_id', '=', officer.id)
          .execute();
        return n.length === 1;
      });
      expect(told).toBe(true);
      const notice = await s.db
        .selectFrom('notices')
        .select('status')
        .where('org_id', '=', org.id)
        .executeTakeFirstOrThrow();
      expect(notice.status).toBe('done');
    } finally {
      await loop.stop();
    }
  });
});
