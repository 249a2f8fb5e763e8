/** One message as it leaves: already rendered, with the Message-ID fixed when it was queued. */
export interface EmailMessage {
  /** `<id@host>`; the same on every retry, so a recipient (or we) can drop a duplicate. */
  messageId: string;
  /** The organisation the message belongs to (the development mailbox keeps it per organisation). */
  orgId: string;
  from: string;
  replyTo?: string | undefined;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SendResult {
  accepted: boolean;
  response?: string | undefined;
}

/** How a message is handed over: an SMTP server, or the development mailbox. */
export interface EmailTransport {
  readonly kind: 'smtp' | 'development';
  /** Throws EmailSendError; any other error is treated as temporary. */
  send(msg: EmailMessage): Promise<SendResult>;
  close(): void;
}

/**
 * A failed hand-over. `permanent` (SMTP 5xx: the server will never take it) sends the message to the dead
 * letters at once; anything else (4xx, connection refused, timeout) is retried later. `message` is safe to
 * store and show: it never contains credentials.
 */
export class EmailSendError extends Error {
  override name = 'EmailSendError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}
