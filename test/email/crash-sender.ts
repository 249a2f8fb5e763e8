// A delivery worker that dies at the worst moment: it claims the outbox message, hands it to the SMTP
// server, and is killed before it can record that it was sent. Run as a child process by
// worker-crash.test.ts: node --import tsx test/email/crash-sender.ts <database url> <smtp url> <outbox id>
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { claimDueMessages, sendClaimedMessage } from '../../src/domain/notifications/deliver-outbox.js';
import { createSmtpTransport } from '../../src/email/smtp-transport.js';
import { createRuntime } from '../../src/runtime.js';

const [databaseUrl, smtpUrl, outboxId] = process.argv.slice(2);
const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: databaseUrl,
  PUBLIC_URL: 'https://roster.test',
  ROSTER_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
});
const runtime = await createRuntime(config, { followRevocations: false, logger: pino({ level: 'silent' }) });
const claimed = await claimDueMessages(runtime.services, new Date(), 10);
const mine = claimed.find((m) => m.id === outboxId);
if (!mine) {
  process.stderr.write('the message was not due\n');
  process.exit(3);
}
const transport = createSmtpTransport({ url: smtpUrl!, tlsRejectUnauthorized: true });
const sent = await sendClaimedMessage(runtime.services, transport, mine);
process.stdout.write(`sent: ${JSON.stringify(sent)}\n`);
process.kill(process.pid, 'SIGKILL');
