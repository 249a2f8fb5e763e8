import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/transaction.js';
import { deliverDueMessages } from '../../src/domain/notifications/deliver-outbox.js';
import { enqueueEmails } from '../../src/domain/notifications/outbox.js';
import { createSmtpTransport } from '../../src/email/smtp-transport.js';
import { createOrg } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

// A real worker process killed (SIGKILL) after the SMTP server accepted the message and before the outbox
// recorded it: the next worker re-sends with the same Message-ID, so the recipient sees it once.

let rt: TestRuntime;
let smtp: TestSmtpServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.close();
  await rt?.close();
});

const onPostgres = !!process.env.TEST_DATABASE_URL;
if (!onPostgres) {
  console.log(
    'worker-crash: skipped on the embedded database (another process cannot open it); set TEST_DATABASE_URL',
  );
}

describe.runIf(onPostgres)('a delivery worker killed between send and acknowledge', () => {
  it('leaves the message to the next worker, which re-sends it with the same Message-ID', async () => {
    const org = await createOrg(rt.services);
    const now = new Date();
    rt.clock.set(now);
    const [id] = await withTransaction(rt.services.db, ({ trx }) =>
      enqueueEmails(
        trx,
        rt.config.publicUrl,
        [
          {
            orgId: org.id,
            dedupeKey: 'crash:1',
            kind: 'user_suspended',
            recipientUserId: null,
            recipientEmail: 'officer@example.test',
            subject: 'Your account was suspended',
            text: 'Your account was suspended.',
            html: '<p>Your account was suspended.</p>',
          },
        ],
        now,
      ),
    );

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/email/crash-sender.ts', rt.databaseUrl!, smtp.url, id!],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_c, s) => resolve(s)),
    );
    expect(signal, output).toBe('SIGKILL');
    expect(output).toContain('sent: {"ok":true}');

    const row = () =>
      rt.services.db
        .selectFrom('outbox_messages')
        .selectAll()
        .where('id', '=', id!)
        .executeTakeFirstOrThrow();
    const afterCrash = await row();
    expect(afterCrash).toMatchObject({ status: 'sending', attempts: 1 });
    expect(smtp.received.filter((m) => m.messageId === afterCrash.message_id)).toHaveLength(1);

    // Within the dead worker's lease nobody touches it; after the lease the next worker takes it over.
    const transport = createSmtpTransport({ url: smtp.url, tlsRejectUnauthorized: true });
    try {
      rt.clock.set(new Date(now.getTime() + 60_000));
      await deliverDueMessages(rt.services, transport);
      expect((await row()).status).toBe('sending');
      rt.clock.set(new Date(now.getTime() + 3 * 60_000));
      await deliverDueMessages(rt.services, transport);
    } finally {
      transport.close();
    }
    const final = await row();
    expect(final).toMatchObject({ status: 'sent', attempts: 2 });
    const received = smtp.received.filter((m) => m.messageId === final.message_id);
    expect(received).toHaveLength(2);
    // What the recipient sees after dropping a repeated Message-ID: one message.
    expect(new Set(received.map((m) => m.messageId)).size).toBe(1);
  });
});
