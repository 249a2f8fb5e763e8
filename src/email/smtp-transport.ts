import nodemailer from 'nodemailer';
import {
  EmailSendError,
  type EmailMessage,
  type EmailTransport,
  type SendResult,
} from './email-transport.js';

export interface SmtpTransportOptions {
  /** smtp://user:pass@host:port or smtps://… */
  url: string;
  tlsRejectUnauthorized: boolean;
  /** Bounds on one hand-over; together well under the outbox lease (2 minutes). */
  connectionTimeoutMs?: number;
  socketTimeoutMs?: number;
}

interface NodemailerError {
  code?: string;
  responseCode?: number;
  response?: string;
}

/** Anything that looks like `user:password@` in a URL, in case a server or library echoes one back. */
const credentials = /[^\s/:@]+:[^\s/@]+@/g;

/** A short, safe description of a failure: the SMTP reply or the error code, never the connection URL. */
export function describeSmtpError(err: unknown): { text: string; permanent: boolean; responseCode?: number } {
  const e = (err ?? {}) as NodemailerError;
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code !== undefined) {
    const reply = (typeof e.response === 'string' ? e.response : String(code)).replace(credentials, '');
    // 5xx: the server refuses this message for good. Authentication (535 and other EAUTH) is a
    // configuration problem of ours, not of the message: retried, so fixing SMTP_URL loses nothing.
    const permanent = code >= 500 && code < 600 && e.code !== 'EAUTH';
    return { text: `SMTP ${reply}`.slice(0, 300), permanent, responseCode: code };
  }
  const kind = typeof e.code === 'string' && /^[A-Z_]{2,20}$/.test(e.code) ? e.code : 'ERROR';
  return { text: `could not reach the mail server (${kind})`, permanent: false };
}

/** Hands messages to an SMTP server through nodemailer; one connection per message (low volume). */
export function createSmtpTransport(options: SmtpTransportOptions): EmailTransport {
  const transporter = nodemailer.createTransport({
    url: options.url,
    tls: { rejectUnauthorized: options.tlsRejectUnauthorized },
    connectionTimeout: options.connectionTimeoutMs ?? 15_000,
    greetingTimeout: options.connectionTimeoutMs ?? 15_000,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
  });
  return {
    kind: 'smtp',
    async send(msg: EmailMessage): Promise<SendResult> {
      try {
        const info = await transporter.sendMail({
          // Fixed when queued: every retry carries the same Message-ID.
          messageId: msg.messageId,
          from: msg.from,
          ...(msg.replyTo ? { replyTo: msg.replyTo } : {}),
          to: msg.to,
          subject: msg.subject,
          text: msg.text,
          html: msg.html,
        });
        return { accepted: info.accepted.length > 0, response: info.response };
      } catch (err) {
        const d = describeSmtpError(err);
        throw new EmailSendError(d.text, d.permanent, d.responseCode);
      }
    },
    close: () => transporter.close(),
  };
}
