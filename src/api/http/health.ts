import Fastify from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Services } from '../../domain/shared/context.js';
import { createMetrics, registerMetrics, type RosterFastify, type RosterMetrics } from './metrics.js';

/** Whether the database answers `select 1` within `timeoutMs`. Never throws. */
export async function databaseAnswers(db: Kysely<DB>, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    const answered = sql`select 1`.execute(db).then(
      () => true,
      () => false,
    );
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process is alive (no dependencies: a restart would not help a database outage).
 * /readyz: send traffic here — 503 while shutting down (`isReady` false) or when the database does not
 * answer within 2 s.
 */
export function registerHealthRoutes(
  app: RosterFastify,
  services: Services,
  isReady?: () => boolean | Promise<boolean>,
): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = (isReady ? await isReady() : true) && (await databaseAnswers(services.db));
    if (!ready) return reply.code(503).send({ status: 'unavailable' });
    return { status: 'ready' };
  });
}

/**
 * The HTTP face of a process that runs only the job worker (ROSTER_ROLE=worker): /healthz, /readyz and
 * /metrics on PORT, no API, so orchestrators can probe it and Prometheus can scrape its job counters.
 */
export async function buildHealthServer(
  services: Services,
  options: { isReady?: () => boolean | Promise<boolean>; metrics?: RosterMetrics; logger?: boolean } = {},
) {
  const app = Fastify({ loggerInstance: options.logger === false ? undefined : services.logger });
  registerHealthRoutes(app, services, options.isReady);
  registerMetrics(app, services, options.metrics ?? createMetrics(services));
  return app;
}
