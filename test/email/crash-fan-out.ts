// A fan-out worker that dies mid-batch: it commits two batches of a notice's fan-out, writes the third
// batch's messages and is killed (SIGKILL) before that transaction commits. Run as a child process by
// fan-out-crash.test.ts: node --import tsx test/email/crash-fan-out.ts <database url> <notice id>
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { fanOutNotices } from '../../src/domain/notifications/fan-out-notices.js';
import { createRuntime } from '../../src/runtime.js';

const [databaseUrl, noticeId] = process.argv.slice(2);
const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: databaseUrl,
  PUBLIC_URL: 'https://roster.test',
  ROSTER_SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
});
const runtime = await createRuntime(config, { followRevocations: false, logger: pino({ level: 'silent' }) });
await fanOutNotices(runtime.services, {
  noticeId: noticeId!,
  batchSize: 200,
  beforeCommit: ({ batch, recipients }) => {
    process.stdout.write(`batch ${batch}: ${recipients} written\n`);
    if (batch === 3) process.kill(process.pid, 'SIGKILL');
  },
});
process.stderr.write('the fan-out finished without being killed\n');
process.exit(3);
