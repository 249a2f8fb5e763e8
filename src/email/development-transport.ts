import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.js';
import type { EmailMessage, EmailTransport, SendResult } from './email-transport.js';

/** The first link of a text body: the one a developer needs (the acceptance link of an invitation). */
export function firstLinkOf(text: string): string | null {
  return /https?:\/\/[^\s<>"]+/.exec(text)?.[0] ?? null;
}

/**
 * Without SMTP_URL, mail is kept in the `dev_mailbox` table (readable through the API's `devMailbox`) and
 * announced in the log. Idempotent on the Message-ID, like a recipient that drops duplicates.
 */
export function createDevelopmentTransport(
  db: Kysely<DB>,
  logger: Logger,
  /** Log the first link (an acceptance link is a secret): in development only, never in production. */
  logLinks = true,
): EmailTransport {
  const log = logger.child({ component: 'dev-mailbox' });
  return {
    kind: 'development',
    async send(msg: EmailMessage): Promise<SendResult> {
      const row = await db
        .insertInto('dev_mailbox')
        .values({
          org_id: msg.orgId,
          message_id: msg.messageId,
          recipient: msg.to,
          subject: msg.subject,
          text_body: msg.text,
          html_body: msg.html,
        })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      // Only the subject, the recipient and the first link: never the rest of the body.
      log.info(
        {
          to: msg.to,
          subject: msg.subject,
          ...(logLinks ? { link: firstLinkOf(msg.text) } : {}),
          duplicate: !row,
        },
        'development mailbox: message kept',
      );
      return { accepted: true, response: row ? 'stored' : 'duplicate' };
    },
    close: () => undefined,
  };
}
