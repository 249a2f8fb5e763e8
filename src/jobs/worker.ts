import type PgBoss from 'pg-boss';
import type { Runtime } from '../runtime.js';
import { createEmailTransport } from '../email/create-transport.js';
import { DeliveryLoop } from './delivery-loop.js';
import { createJobQueue, type JobQueueConnection, type JobQueueOptions } from './queue.js';
import { scheduledTasks, type ScheduledTask } from './scheduled-tasks.js';

/** What happened to one job, for metrics. */
export interface JobSettled {
  job: string;
  outcome: 'completed' | 'failed';
  durationMs: number;
}

export interface WorkerOptions extends JobQueueOptions {
  onJobSettled?: (event: JobSettled) => void;
  /** The tasks to schedule and work on (all of them by default). */
  tasks?: readonly ScheduledTask[];
  /** How often the outbox delivery loop runs (when 'deliver-outbox' is among the tasks); 2 s by default. */
  deliveryIntervalMs?: number;
}

export interface JobWorker {
  boss: PgBoss;
  connection: JobQueueConnection;
  /** Jobs whose handler is running now. */
  running(): number;
  markStopping(): void;
  /** Delivers the outbox every few seconds and on `nudgeDelivery()`; absent without 'deliver-outbox'. */
  deliveryLoop: DeliveryLoop | undefined;
}

// Sweeps are idempotent. 'stately': at most one queued and one running per task, so a slow run never
// piles up a backlog of identical jobs. A failed run is retried after 30 s; one that hangs is failed
// after 15 minutes (and retried).
const queueOptions = {
  policy: 'stately',
  retryLimit: 2,
  retryDelay: 30,
  expireInSeconds: 15 * 60,
} as const;

/**
 * Starts pg-boss on the runtime's database (PGlite or PostgreSQL), creates one queue per scheduled task,
 * schedules it and works on it. Several workers may run against one PostgreSQL: pg-boss hands each job
 * to one of them (SKIP LOCKED) and sends each cron tick once; the tasks themselves are also safe to run
 * concurrently.
 */
export async function startWorker(runtime: Runtime, options: WorkerOptions = {}): Promise<JobWorker> {
  const { services } = runtime;
  const log = services.logger.child({ component: 'jobs' });
  const { boss, connection } = createJobQueue(runtime.database, options);
  // pg-boss reports polling and maintenance failures as events; an unhandled 'error' event would throw.
  boss.on('error', (err: Error) => log.warn({ err }, 'job queue error'));

  let running = 0;
  let stopping = false;
  await boss.start();
  for (const task of options.tasks ?? scheduledTasks) {
    await boss.createQueue(task.name, { name: task.name, ...queueOptions });
    await boss.schedule(task.name, task.cron, {}, { tz: 'UTC' });
    await boss.work(task.name, { batchSize: 1 }, async (jobs) => {
      for (const job of jobs) {
        // A fetch that raced with stop() can still hand us a job: give it back (failed, so retried).
        if (stopping) throw new Error('the worker is stopping');
        running += 1;
        const started = performance.now();
        try {
          const counts = await task.run(services, services.clock.now(), { requestId: `job:${job.id}` });
          const durationMs = performance.now() - started;
          const busy = Object.values(counts).some((n) => n > 0);
          log[busy ? 'info' : 'debug']({ job: task.name, jobId: job.id, durationMs, ...counts }, 'job done');
          options.onJobSettled?.({ job: task.name, outcome: 'completed', durationMs });
        } catch (err) {
          const durationMs = performance.now() - started;
          log.error({ err, job: task.name, jobId: job.id, durationMs }, 'job failed');
          options.onJobSettled?.({ job: task.name, outcome: 'failed', durationMs });
          throw err;
        } finally {
          running -= 1;
        }
      }
    });
  }
  let deliveryLoop: DeliveryLoop | undefined;
  if ((options.tasks ?? scheduledTasks).some((t) => t.name === 'deliver-outbox')) {
    deliveryLoop = new DeliveryLoop(services, createEmailTransport(services), options.deliveryIntervalMs);
    deliveryLoop.start();
  }
  log.info({ tasks: (options.tasks ?? scheduledTasks).map((t) => t.name) }, 'job worker started');
  return {
    boss,
    connection,
    deliveryLoop,
    running: () => running,
    markStopping: () => {
      stopping = true;
    },
  };
}

/**
 * Stops taking jobs, waits for running ones up to `timeoutMs` (pg-boss then marks what is still running
 * as failed, so it is retried elsewhere or after restart), and waits for pg-boss's last writes. The
 * database stays open: the caller closes it afterwards.
 */
export async function stopWorker(worker: JobWorker, timeoutMs = 10_000): Promise<void> {
  worker.markStopping();
  await worker.deliveryLoop?.stop();
  await worker.boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
  // pg-boss does not await its job-completion writes, and a worker loop may be mid-fetch: let them land.
  const deadline = Date.now() + 2000;
  while (worker.running() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await worker.connection.close(Math.max(0, deadline - Date.now()));
}
