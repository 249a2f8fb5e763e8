import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the test server received it, parsed just enough for assertions. */
export interface ReceivedMessage {
  messageId: string;
  subject: string;
  to: string;
  envelopeTo: string[];
  text: string;
  html: string;
  raw: string;
}

/** An SMTP reply code to refuse with, or null to accept. */
export type Policy = (to: string) => number | null;

export interface TestSmtpServer {
  port: number;
  url: string;
  received: ReceivedMessage[];
  /** Decides per recipient (at RCPT TO) whether to refuse; accepts everything by default. */
  policy: Policy;
  close(): Promise<void>;
}

/** A real SMTP server (npm smtp-server) on 127.0.0.1, without TLS or authentication. */
export async function startSmtpServer(port = 0): Promise<TestSmtpServer> {
  const state: TestSmtpServer = {
    port: 0,
    url: '',
    received: [],
    policy: () => null,
    close: () => Promise.resolve(),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = state.policy(address.address);
      if (code === null) return callback();
      const err = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & {
        responseCode: number;
      };
      err.responseCode = code;
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        state.received.push({
          ...parseMessage(raw),
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  state.port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://127.0.0.1:${state.port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** Headers of one MIME entity, unfolded, names lower-cased. */
function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return headers;
}

function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const i = entity.indexOf('\r\n\r\n');
  return { headers: parseHeaders(entity.slice(0, i)), body: entity.slice(i + 4) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  const e = (encoding ?? '7bit').toLowerCase();
  if (e === 'base64')
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8').replace(/\r\n/g, '\n');
  if (e === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n');
  }
  // SMTP carries lines ending in CRLF; compare with what was queued (LF).
  return body.replace(/\r\n/g, '\n');
}

/** Message-ID, Subject, To, and the text/plain and text/html parts (one level of multipart). */
export function parseMessage(raw: string): Omit<ReceivedMessage, 'envelopeTo'> {
  const top = splitEntity(raw);
  const contentType = top.headers.get('content-type') ?? 'text/plain';
  let text = '';
  let html = '';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const parts = boundary
    ? top.body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((p) => splitEntity(p.replace(/^\r\n/, '')))
    : [top];
  for (const p of parts) {
    const type = (p.headers.get('content-type') ?? 'text/plain').toLowerCase();
    const body = decodeBody(p.body.replace(/\r\n$/, ''), p.headers.get('content-transfer-encoding'));
    if (type.startsWith('text/plain')) text = body;
    if (type.startsWith('text/html')) html = body;
  }
  return {
    messageId: top.headers.get('message-id') ?? '',
    subject: top.headers.get('subject') ?? '',
    to: top.headers.get('to') ?? '',
    text,
    html,
    raw,
  };
}
