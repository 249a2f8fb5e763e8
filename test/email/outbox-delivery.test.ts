import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/transaction.js';
import {
  claimDueMessages,
  deliverDueMessages,
  sendClaimedMessage,
} from '../../src/domain/notifications/deliver-outbox.js';
import { enqueueEmails, type OutgoingEmail } from '../../src/domain/notifications/outbox.js';
import { createSmtpTransport } from '../../src/email/smtp-transport.js';
import type { EmailTransport } from '../../src/email/email-transport.js';
import { createOrg } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

let rt: TestRuntime;
let smtp: TestSmtpServer;
let transport: EmailTransport;

beforeAll(async () => {
  rt = await openTestRuntime();
  smtp = await startSmtpServer();
  transport = createSmtpTransport({ url: smtp.url, tlsRejectUnauthorized: true, connectionTimeoutMs: 3000 });
});
afterAll(async () => {
  transport?.close();
  await smtp?.close();
  await rt?.close();
});

const minute = 60_000;
let seq = 0;

/** Queues `n` messages of a new organisation the way a command does: inside its transaction. */
async function queue(n: number, to?: (i: number) => string) {
  const org = await createOrg(rt.services);
  const emails: OutgoingEmail[] = Array.from({ length: n }, (_, i) => {
    seq += 1;
    return {
      orgId: org.id,
      dedupeKey: `test:${seq}`,
      kind: 'test.notice',
      recipientUserId: null,
      recipientEmail: to ? to(i) : `person-${seq}@example.test`,
      subject: `Notice number ${seq}`,
      text: `Hello, this is notice ${seq}.\nAccept: https://roster.test/accept#token-${seq}\n`,
      html: `<p>Hello, this is notice <b>${seq}</b>.</p>`,
    };
  });
  const ids = await withTransaction(rt.services.db, ({ trx }) =>
    enqueueEmails(trx, rt.config.publicUrl, emails),
  );
  // The outbox stamps next_attempt_at with the database's now(); bring the manual clock up to it.
  rt.clock.set(new Date(Math.max(rt.clock.now().getTime(), Date.now()) + 1000));
  return { org, ids, emails };
}

async function rows(ids: readonly string[]) {
  return rt.services.db
    .selectFrom('outbox_messages')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('recipient_email')
    .execute();
}

const receivedFor = (messageIds: readonly string[]) =>
  smtp.received.filter((m) => messageIds.includes(m.messageId));

describe('outbox delivery over a real SMTP server', () => {
  it('delivers a queued message with its Message-ID, subject, recipient, text and html', async () => {
    const { ids, emails } = await queue(1);
    const counts = await deliverDueMessages(rt.services, transport);
    expect(counts.sent).toBeGreaterThanOrEqual(1);
    const [row] = await rows(ids);
    expect(row?.status).toBe('sent');
    expect(row?.attempts).toBe(1);
    expect(row?.sent_at).not.toBeNull();
    expect(row?.lease_until).toBeNull();
    const got = receivedFor([row!.message_id]);
    expect(got).toHaveLength(1);
    const m = got[0]!;
    expect(row!.message_id).toBe(`<${ids[0]}@roster.test>`);
    expect(m.subject).toBe(emails[0]!.subject);
    expect(m.to).toBe(emails[0]!.recipientEmail);
    expect(m.envelopeTo).toEqual([emails[0]!.recipientEmail]);
    expect(m.text.trim()).toBe(emails[0]!.text.trim());
    expect(m.html.trim()).toBe(emails[0]!.html);
    expect(m.raw).toMatch(/^From: Roster <no-reply@localhost>/m);
  });

  it('retries after a 4xx: failed with backoff, then sent once', async () => {
    const to = `greylisted-${Date.now()}@example.test`;
    let refused = 0;
    smtp.policy = (addr) => (addr === to && refused++ === 0 ? 451 : null);
    try {
      const { ids } = await queue(1, () => to);
      await deliverDueMessages(rt.services, transport);
      let [row] = await rows(ids);
      expect(row?.status).toBe('failed');
      expect(row?.attempts).toBe(1);
      expect(row?.last_error).toMatch(/^SMTP 451/);
      const wait = row!.next_attempt_at.getTime() - rt.clock.now().getTime();
      expect(wait).toBeGreaterThanOrEqual(29_000);
      expect(wait).toBeLessThanOrEqual(35_000);
      expect(receivedFor([row!.message_id])).toHaveLength(0);

      // Not yet due: nothing happens.
      await deliverDueMessages(rt.services, transport);
      expect((await rows(ids))[0]?.status).toBe('failed');

      rt.clock.advance(minute);
      await deliverDueMessages(rt.services, transport);
      [row] = await rows(ids);
      expect(row?.status).toBe('sent');
      expect(row?.attempts).toBe(2);
      expect(row?.last_error).toBeNull();
      expect(receivedFor([row!.message_id])).toHaveLength(1);
      expect(refused).toBe(2);
    } finally {
      smtp.policy = () => null;
    }
  });

  it('gives up at once on a 5xx: dead, never tried again', async () => {
    const to = `nobody-${Date.now()}@example.test`;
    smtp.policy = (addr) => (addr === to ? 550 : null);
    try {
      const { ids } = await queue(1, () => to);
      await deliverDueMessages(rt.services, transport);
      const [row] = await rows(ids);
      expect(row?.status).toBe('dead');
      expect(row?.attempts).toBe(1);
      expect(row?.last_error).toMatch(/^SMTP 550/);
      rt.clock.advance(2 * 60 * minute);
      await deliverDueMessages(rt.services, transport);
      const [again] = await rows(ids);
      expect(again?.status).toBe('dead');
      expect(again?.attempts).toBe(1);
      expect(receivedFor([row!.message_id])).toHaveLength(0);
    } finally {
      smtp.policy = () => null;
    }
  });

  it('gives up after 8 temporary failures: dead, with the last reply', async () => {
    const to = `always-busy-${Date.now()}@example.test`;
    smtp.policy = (addr) => (addr === to ? 452 : null);
    try {
      const { ids } = await queue(1, () => to);
      for (let i = 1; i <= 8; i++) {
        await deliverDueMessages(rt.services, transport);
        const [row] = await rows(ids);
        expect([row?.status, row?.attempts]).toEqual([i < 8 ? 'failed' : 'dead', i]);
        rt.clock.advance(2 * 60 * minute);
      }
      await deliverDueMessages(rt.services, transport);
      const [row] = await rows(ids);
      expect([row?.status, row?.attempts]).toEqual(['dead', 8]);
      expect(row?.last_error).toMatch(/^SMTP 452/);
    } finally {
      smtp.policy = () => null;
    }
  });

  it('keeps messages while the server is down and delivers each once when it is back', async () => {
    const down = await startSmtpServer();
    const port = down.port;
    const t = createSmtpTransport({ url: down.url, tlsRejectUnauthorized: true, connectionTimeoutMs: 3000 });
    try {
      await down.close();
      const { ids } = await queue(3);
      const waits: number[][] = [];
      for (let round = 0; round < 4; round++) {
        const counts = await deliverDueMessages(rt.services, t);
        expect(counts.sent).toBe(0);
        const rs = await rows(ids);
        expect(rs.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
        expect(rs.every((r) => r.attempts === round + 1)).toBe(true);
        expect(rs[0]?.last_error).toMatch(/could not reach the mail server \(ECONNECTION|ESOCKET/);
        expect(rs[0]?.last_error).not.toContain('127.0.0.1');
        waits.push(rs.map((r) => r.next_attempt_at.getTime() - rt.clock.now().getTime()));
        rt.clock.advance(60 * minute);
      }
      // 30 s, 1 min, 2 min, 4 min (each plus up to 10 % jitter).
      for (let i = 1; i < waits.length; i++) {
        for (let j = 0; j < 3; j++) expect(waits[i]![j]!).toBeGreaterThan(waits[i - 1]![j]!);
      }

      const back = await startSmtpServer(port);
      try {
        const counts = await deliverDueMessages(rt.services, t);
        expect(counts.sent).toBe(3);
        const rs = await rows(ids);
        expect(rs.map((r) => [r.status, r.attempts])).toEqual([
          ['sent', 5],
          ['sent', 5],
          ['sent', 5],
        ]);
        rt.clock.advance(60 * minute);
        await deliverDueMessages(rt.services, t);
        const mids = rs.map((r) => r.message_id);
        expect(back.received.map((m) => m.messageId).sort()).toEqual([...mids].sort());
      } finally {
        await back.close();
      }
    } finally {
      t.close();
    }
  });

  it('re-sends with the same Message-ID after a crash between send and acknowledge', async () => {
    const { ids } = await queue(1);
    // The "crashed" worker: claims and sends, then dies before recording the outcome.
    const claimed = await claimDueMessages(rt.services, rt.clock.now(), 10);
    const mine = claimed.filter((m) => ids.includes(m.id));
    expect(mine).toHaveLength(1);
    expect(await sendClaimedMessage(rt.services, transport, mine[0]!)).toEqual({ ok: true });
    expect((await rows(ids))[0]?.status).toBe('sending');

    // Within the lease nobody else touches it.
    rt.clock.advance(minute);
    await deliverDueMessages(rt.services, transport);
    expect((await rows(ids))[0]?.status).toBe('sending');

    rt.clock.advance(2 * minute);
    await deliverDueMessages(rt.services, transport);
    const [row] = await rows(ids);
    expect(row?.status).toBe('sent');
    expect(row?.attempts).toBe(2);
    const got = receivedFor([row!.message_id]);
    expect(got.map((m) => m.messageId)).toEqual([row!.message_id, row!.message_id]);
    // What the recipient sees after dropping repeated Message-IDs: one message.
    expect(new Set(got.map((m) => m.messageId)).size).toBe(1);
  });

  it('two concurrent delivery runs deliver each of 20 messages exactly once', async () => {
    const { ids } = await queue(20);
    const run = async () => {
      let sent = 0;
      for (;;) {
        const c = await deliverDueMessages(rt.services, transport, { batchSize: 3 });
        sent += c.sent;
        if (c.sent + c.failed + c.dead === 0) return sent;
      }
    };
    const [a, b] = await Promise.all([run(), run()]);
    expect(a + b).toBe(20);
    const rs = await rows(ids);
    expect(rs.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
    const got = receivedFor(rs.map((r) => r.message_id));
    expect(got).toHaveLength(20);
    expect(new Set(got.map((m) => m.messageId)).size).toBe(20);
  });
});
