import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { errorCodes } from '../../domain/errors.js';
import type { Services } from '../../domain/shared/context.js';

/**
 * Prometheus metrics of one process. A registry per server instance (never prom-client's global one), so
 * tests can build several servers. Label values are bounded: routes are route patterns, never raw URLs;
 * operation names are capped (a client chooses them).
 */
export interface RosterMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  graphqlOperations: Counter<'operation' | 'result'>;
  jobsRun: Counter<'job'>;
  jobsFailed: Counter<'job'>;
  /** For the job worker's `onJobSettled`. */
  recordJob(event: { job: string; outcome: 'completed' | 'failed' }): void;
}

/** Beyond this many distinct operation names, new ones are counted as "other". */
export const maxOperationNames = 200;

export function createMetrics(services: Services): RosterMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const httpRequests = new Counter({
    name: 'roster_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'roster_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const graphqlOperations = new Counter({
    name: 'roster_graphql_operations_total',
    help: 'GraphQL operations by operation name and result (ok, error).',
    labelNames: ['operation', 'result'] as const,
    registers,
  });
  const jobsRun = new Counter({
    name: 'roster_jobs_run_total',
    help: 'Background jobs run (completed or failed), by job.',
    labelNames: ['job'] as const,
    registers,
  });
  const jobsFailed = new Counter({
    name: 'roster_jobs_failed_total',
    help: 'Background jobs failed, by job.',
    labelNames: ['job'] as const,
    registers,
  });
  new Gauge({
    name: 'roster_revoked_sessions',
    help: 'Revoked session ids held in memory (the revocation registry).',
    registers,
    collect() {
      this.set(services.revocations.size);
    },
  });
  return {
    registry,
    httpRequests,
    httpDuration,
    graphqlOperations,
    jobsRun,
    jobsFailed,
    recordJob({ job, outcome }) {
      jobsRun.inc({ job });
      if (outcome === 'failed') jobsFailed.inc({ job });
    },
  };
}

/** Compares a presented bearer token with the configured one in constant time (hashes have one length). */
export function bearerTokenMatches(header: unknown, expected: string): boolean {
  if (typeof header !== 'string') return false;
  const presented = /^Bearer +(\S+)$/i.exec(header)?.[1];
  if (!presented) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A Fastify instance built with our pino logger (buildServer, buildHealthServer). */
export type RosterFastify = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/**
 * Counts every request (onResponse hook), every GraphQL operation (from `request.graphqlOutcome`, which
 * the GraphQL route sets when an operation ran), and serves GET /metrics. With METRICS_TOKEN set,
 * /metrics asks for `Authorization: Bearer <token>`; without it, keep /metrics off the public internet
 * at the proxy.
 */
export function registerMetrics(
  app: RosterFastify,
  services: Services,
  metrics: RosterMetrics,
  options: { graphqlPath?: string } = {},
): void {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const knownNames = new Set<string>();
  const boundedName = (name: string) => {
    if (knownNames.has(name)) return name;
    if (knownNames.size >= maxOperationNames) return 'other';
    knownNames.add(name);
    return name;
  };

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if (route === graphqlPath && request.method !== 'OPTIONS') {
      // No outcome recorded: the document did not parse or validate, so it never executed.
      const outcome = request.graphqlOutcome;
      metrics.graphqlOperations.inc({
        operation: outcome ? boundedName(outcome.operation) : '(invalid)',
        result: outcome?.result ?? 'error',
      });
    }
  });

  const token = services.config.metricsToken;
  app.get('/metrics', async (request, reply) => {
    if (token && !bearerTokenMatches(request.headers.authorization, token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({ error: { code: 'UNAUTHENTICATED', message: errorCodes.UNAUTHENTICATED } });
    }
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
}
