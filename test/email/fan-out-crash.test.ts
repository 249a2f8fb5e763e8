import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fanOutNotices } from '../../src/domain/notifications/fan-out-notices.js';
import { updateNotificationSettings } from '../../src/domain/notifications/notification-settings.js';
import { suspendUser } from '../../src/domain/users/suspend-user.js';
import { actorFor, contextFor, createOrg, createUser } from '../support/factories.js';
import { seedHolders } from '../support/seed-holders.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// A real fan-out process killed (SIGKILL) in the middle of a batch's transaction: what it committed stays,
// the open batch is rolled back by the database, and the next worker resumes from the notice's cursor with
// exactly one notice per recipient. (fan-out-notices.test.ts simulates the same on both databases.)

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const onPostgres = !!process.env.TEST_DATABASE_URL;
if (!onPostgres) {
  console.log(
    'fan-out-crash: skipped on the embedded database (another process cannot open it); set TEST_DATABASE_URL',
  );
}

describe.runIf(onPostgres)('a fan-out worker killed mid-batch', () => {
  it('leaves its committed batches, loses the open one, and the next worker finishes without duplicates', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const target = await createUser(s, org.id);
    const ctx = contextFor(s, await actorFor(s, owner));
    await seedHolders(s, org.id, 'auditor', 1000);
    await updateNotificationSettings(ctx, { adminRecipients: ['auditor'], responsibleRecipients: false });
    await suspendUser(ctx, { userId: target.id, reason: 'Crash' });
    const notice = await s.db
      .selectFrom('notices')
      .select('id')
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/email/crash-fan-out.ts', rt.databaseUrl!, notice.id],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_c, sig) => resolve(sig)),
    );
    expect(signal, output).toBe('SIGKILL');
    // Batch 1 is the (empty) named phase, batches 2 and 3 the first 200 auditors each; 3 died uncommitted.
    expect(output).toContain('batch 3: 200 written');

    const state = () =>
      s.db.selectFrom('notices').selectAll().where('id', '=', notice.id).executeTakeFirstOrThrow();
    expect(await state()).toMatchObject({ status: 'pending', batches: 2, recipients: 200 });
    const told = () =>
      s.db
        .selectFrom('notifications')
        .select('user_id')
        .where('org_id', '=', org.id)
        .where('kind', '=', 'user_suspended')
        .execute();
    expect(await told()).toHaveLength(200);

    await fanOutNotices(s, { batchSize: 200 });
    expect(await state()).toMatchObject({ status: 'done', recipients: 1000 });
    const all = await told();
    expect(all).toHaveLength(1000);
    expect(new Set(all.map((t) => t.user_id)).size).toBe(1000);
    const mail = await s.db
      .selectFrom('outbox_messages')
      .select('recipient_user_id')
      .where('org_id', '=', org.id)
      .where('kind', '=', 'user_suspended')
      .execute();
    // The target and the 1,000 auditors, each once.
    expect(mail).toHaveLength(1001);
    expect(new Set(mail.map((m) => m.recipient_user_id)).size).toBe(1001);
  });
});
