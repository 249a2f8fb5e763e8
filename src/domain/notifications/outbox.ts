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
export async function enqueueEmails(
  trx: Tx,
  publicUrl: string,
  emails: readonly OutgoingEmail[],
  /** The command's clock; due at once. Defaults to the database's clock. */
  now?: Date,
): Promise<string[]> {
  const ids: string[] = [];
  for (const e of emails) {
    const id = crypto.randomUUID();
    const row = await trx
      .insertInto('outbox_messages')
      .values({
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
      })
      .onConflict((oc) => oc.columns(['org_id', 'dedupe_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) ids.push(row.id);
  }
  return ids;
}
