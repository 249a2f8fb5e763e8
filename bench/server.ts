// A Roster API server for the benchmarks, run as a child process (pinned to its own core when taskset is
// there). Configuration comes from the environment like `roster serve`; prints {"url": ...} once listening.
import { pino } from 'pino';
import { buildServer } from '../src/api/http/server.js';
import { loadConfig } from '../src/config.js';
import { createRuntime } from '../src/runtime.js';

const runtime = await createRuntime(loadConfig(), { logger: pino({ level: 'silent' }) });
const app = await buildServer(runtime.services, { logger: false });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url })}\n`);

const stop = async () => {
  await app.close();
  await runtime.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
