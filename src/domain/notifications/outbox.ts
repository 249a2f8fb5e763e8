import type { Tx } from '../../db/transaction.js';

/** A rendered email, ready to send; rendered inside the transaction so its content is frozen at the event. */
export interface OutgoingEmail {
  orgId: string;
  /** Unique per organisation: the same cause never queues the same message twice. */
  dedupeKey: string;
  kind: string;
  recipientUserId: string | null;
  recipientEmail: string;
  subject: string;
  text: string;
  html: string;
}

/** The Message-ID of a queued message; stable across retries so a recipient can drop a duplicate. */
export function messageIdFor(outboxId: string, publicUrl: string): string {
  return `<${outboxId}@${new URL(publicUrl).hostname}>`;
}

/**
 * Queues emails in the caller's transaction (the outbox). They leave only after commit, through the
 * worker; a rolled-back change sends nothing. Returns the ids of messages actually queued (a repeated
 * dedupe key is skipped).
 */
const enqueueChunk = 1000;

export async function enqueueEmails(
  trx: Tx,
  publicUrl: string,
  emails: readonly OutgoingEmail[],
  /** The command's clock; due at once. Defaults to the database's clock. */
  now?: Date,
): Promise<string[]> {
  const ids: string[] = [];
  // One multi-row statement per chunk: a fan-out batch of 500 is one round trip, and a chunk stays far
  // below PostgreSQL's 65,535 bind parameters (13 a row).
  for (let i = 0; i < emails.length; i += enqueueChunk) {
    const rows = emails.slice(i, i + enqueueChunk).map((e) => {
      const id = crypto.randomUUID();
      return {
        id,
        org_id: e.orgId,
        dedupe_key: e.dedupeKey,
        kind: e.kind,
        recipient_user_id: e.recipientUserId,
        recipient_email: e.recipientEmail,
        subject: e.subject,
        text_body: e.text,
        html_body: e.html,
        message_id: messageIdFor(id, publicUrl),
        ...(now ? { created_at: now, next_attempt_at: now } : {}),
      };
    });
    const inserted = await trx
      .insertInto('outbox_messages')
      .values(rows)
      .onConflict((oc) => oc.columns(['org_id', 'dedupe_key']).doNothing())
      .returning('id')
      .execute();
    const got = new Set(inserted.map((r) => r.id));
    // In the order given, as before.
    ids.push(...rows.filter((r) => got.has(r.id)).map((r) => r.id));
  }
  return ids;
}
