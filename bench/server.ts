// A Roster API server for the benchmarks, run as a child process (pinned to its own core when taskset is
// there). Configuration comes from the environment like `roster serve`; prints {"url": ...} once listening.
import { pino } from 'pino';
import { buildServer } from '../src/api/http/server.js';
import { loadConfig } from '../src/config.js';
import { createEmailTransport } from '../src/email/create-transport.js';
import { DeliveryLoop } from '../src/jobs/delivery-loop.js';
import { createRuntime } from '../src/runtime.js';

const runtime = await createRuntime(loadConfig(), { logger: pino({ level: 'silent' }) });
const app = await buildServer(runtime.services, { logger: false });
// BENCH_DELIVERY_LOOP=1: this process also fans notices out and delivers the outbox, as ROSTER_ROLE=all
// does, so a write benchmark pays for its after-commit work on the same core.
const loop =
  process.env.BENCH_DELIVERY_LOOP === '1'
    ? new DeliveryLoop(runtime.services, createEmailTransport(runtime.services))
    : undefined;
loop?.start();
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url })}\n`);

const stop = async () => {
  await app.close();
  await loop?.stop();
  await runtime.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
