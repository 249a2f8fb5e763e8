import { sql, type Selectable } from 'kysely';
import type { OutboxMessagesTable } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { EmailSendError, type EmailTransport } from '../../email/email-transport.js';
import type { Services } from '../shared/context.js';
import { maxDeliveryAttempts, retryDelayMs } from './outbox-backoff.js';

export type OutboxMessage = Selectable<OutboxMessagesTable>;

/** How long a claimed message is a sender's own; after that another worker takes it over. */
export const leaseMs = 2 * 60_000;

export interface DeliveryCounts {
  sent: number;
  failed: number;
  dead: number;
}

export interface DeliverOptions {
  batchSize?: number;
  now?: Date;
}

/**
 * Claims due messages in a short transaction of its own and marks them 'sending' with a lease: queued or
 * failed ones whose time has come, and 'sending' ones whose sender died (lease over). SKIP LOCKED: two
 * workers claiming at once take different messages. Returns the claimed rows (attempts already counted).
 */
export async function claimDueMessages(
  services: Services,
  now: Date,
  batchSize: number,
): Promise<OutboxMessage[]> {
  return withTransaction(services.db, async ({ trx }) => {
    // A sender that died during the last allowed attempt: give up rather than try a ninth time.
    await trx
      .updateTable('outbox_messages')
      .set({ status: 'dead', lease_until: null, last_error: 'the sender stopped during the last attempt' })
      .where('status', '=', 'sending')
      .where('lease_until', '<', now)
      .where('attempts', '>=', maxDeliveryAttempts)
      .execute();
    const due = await trx
      .selectFrom('outbox_messages')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['queued', 'failed']), eb('next_attempt_at', '<=', now)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
        ]),
      )
      .orderBy('next_attempt_at')
      .limit(batchSize)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return [];
    return trx
      .updateTable('outbox_messages')
      .set({
        status: 'sending',
        attempts: sql<number>`attempts + 1`,
        lease_until: new Date(now.getTime() + leaseMs),
      })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .returningAll()
      .execute();
  });
}

/** Hands one claimed message to the transport. Outside any transaction: a slow server holds no locks. */
export async function sendClaimedMessage(
  services: Services,
  transport: EmailTransport,
  m: OutboxMessage,
): Promise<{ ok: true } | { ok: false; permanent: boolean; error: string }> {
  const { smtp } = services.config;
  try {
    const result = await transport.send({
      messageId: m.message_id,
      orgId: m.org_id,
      from: smtp.from,
      replyTo: smtp.replyTo,
      to: m.recipient_email,
      subject: m.subject,
      text: m.text_body,
      html: m.html_body,
    });
    if (!result.accepted) return { ok: false, permanent: false, error: 'the server accepted no recipient' };
    return { ok: true };
  } catch (err) {
    if (err instanceof EmailSendError) return { ok: false, permanent: err.permanent, error: err.message };
    services.logger.error({ err, outboxId: m.id }, 'email transport failed unexpectedly');
    return { ok: false, permanent: false, error: 'the transport failed unexpectedly' };
  }
}

/**
 * Records the outcome. Only while the claim is still ours (status 'sending' with the attempt we counted):
 * if our lease ran out and another worker took over, its outcome stands.
 */
export async function recordOutcome(
  services: Services,
  m: OutboxMessage,
  outcome: Awaited<ReturnType<typeof sendClaimedMessage>>,
  now: Date,
): Promise<keyof DeliveryCounts> {
  let status: keyof DeliveryCounts;
  const q = services.db
    .updateTable('outbox_messages')
    .where('id', '=', m.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', m.attempts);
  if (outcome.ok) {
    status = 'sent';
    await q.set({ status, sent_at: now, lease_until: null, last_error: null }).execute();
  } else if (outcome.permanent || m.attempts >= maxDeliveryAttempts) {
    status = 'dead';
    await q.set({ status, lease_until: null, last_error: outcome.error }).execute();
  } else {
    status = 'failed';
    const next = new Date(now.getTime() + retryDelayMs(m.attempts));
    await q.set({ status, next_attempt_at: next, lease_until: null, last_error: outcome.error }).execute();
  }
  return status;
}

/**
 * Delivers what is due: claim (commit), send each, record each. At-least-once: a crash between the send
 * and its record leaves the message 'sending'; when the lease ends it is sent again with the same
 * Message-ID, which the recipient's mail system (or client) can use to drop the duplicate. In the normal
 * path a message is sent once.
 */
export async function deliverDueMessages(
  services: Services,
  transport: EmailTransport,
  options: DeliverOptions = {},
): Promise<DeliveryCounts> {
  const now = options.now ?? services.clock.now();
  const claimed = await claimDueMessages(services, now, options.batchSize ?? 20);
  const counts: DeliveryCounts = { sent: 0, failed: 0, dead: 0 };
  for (const m of claimed) {
    const outcome = await sendClaimedMessage(services, transport, m);
    const status = await recordOutcome(services, m, outcome, services.clock.now());
    counts[status] += 1;
    if (status !== 'sent') {
      services.logger.warn(
        { outboxId: m.id, attempts: m.attempts, status, error: outcome.ok ? null : outcome.error },
        'email not delivered',
      );
    }
  }
  return counts;
}
