import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { buildHealthServer } from './health.js';
import { createMetrics } from './metrics.js';
import { buildServer } from './server.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

/** The value of one sample line of the Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('counts requests by route pattern and GraphQL operations by name and result', async () => {
    const app = await buildServer(rt.services, { logger: false });
    const other = await buildServer(rt.services, { logger: false });
    try {
      await app.inject({ method: 'GET', url: '/healthz' });
      await app.inject({ method: 'GET', url: '/no/such/path-4711' });
      await app.inject({
        method: 'POST',
        url: '/graphql',
        payload: { query: 'query Smoke { viewer { id } }' },
      });
      await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ organization { id } }' } });
      await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ nosuchfield }' } });

      const r = await app.inject({ method: 'GET', url: '/metrics' });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      const text = r.body;
      expect(
        sample(text, 'roster_http_requests_total{method="GET",route="/healthz",status_code="200"}'),
      ).toBe(1);
      expect(
        sample(text, 'roster_http_requests_total{method="GET",route="(unmatched)",status_code="404"}'),
      ).toBe(1);
      expect(text).not.toContain('4711');
      // Three requests to the one route pattern, whatever status each got.
      const graphqlRequests = text
        .split('\n')
        .filter((l) => l.startsWith('roster_http_requests_total{method="POST",route="/graphql",'))
        .reduce((n, l) => n + Number(l.split(' ')[1]), 0);
      expect(graphqlRequests).toBe(3);
      expect(
        sample(
          text,
          'roster_http_request_duration_seconds_count{method="GET",route="/healthz",status_code="200"}',
        ),
      ).toBe(1);
      expect(sample(text, 'roster_graphql_operations_total{operation="Smoke",result="ok"}')).toBe(1);
      expect(sample(text, 'roster_graphql_operations_total{operation="(anonymous)",result="error"}')).toBe(1);
      expect(sample(text, 'roster_graphql_operations_total{operation="(invalid)",result="error"}')).toBe(1);
      expect(sample(text, 'roster_revoked_sessions')).toBe(rt.services.revocations.size);
      expect(text).toContain('process_cpu_user_seconds_total');

      // Each server has its own registry.
      const o = await other.inject({ method: 'GET', url: '/metrics' });
      expect(
        sample(o.body, 'roster_http_requests_total{method="GET",route="/healthz",status_code="200"}'),
      ).toBe(undefined);
    } finally {
      await app.close();
      await other.close();
    }
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const services = { ...rt.services, config: { ...rt.services.config, metricsToken: token } };
    const app = await buildServer(services, { logger: false });
    try {
      const none = await app.inject({ method: 'GET', url: '/metrics' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(none.body).not.toContain('roster_http_requests_total');
      const wrong = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${token}x` },
      });
      expect(wrong.statusCode).toBe(401);
      const right = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(right.statusCode).toBe(200);
      expect(right.body).toContain('roster_http_requests_total');
    } finally {
      await app.close();
    }
  });

  it('the worker-only server answers health and metrics, with job counters, and no API', async () => {
    const metrics = createMetrics(rt.services);
    const app = await buildHealthServer(rt.services, { metrics, logger: false });
    try {
      metrics.recordJob({ job: 'end-due-suspensions', outcome: 'completed' });
      metrics.recordJob({ job: 'end-due-suspensions', outcome: 'failed' });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
      expect(
        (await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ viewer { id } }' } }))
          .statusCode,
      ).toBe(404);
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(text, 'roster_jobs_run_total{job="end-due-suspensions"}')).toBe(2);
      expect(sample(text, 'roster_jobs_failed_total{job="end-due-suspensions"}')).toBe(1);
    } finally {
      await app.close();
    }
  });
});

describe('GET /readyz', () => {
  it('is 200 while the database answers, 503 while shutting down or once the database is closed', async () => {
    const own = await openTestRuntime();
    let dbClosed = false;
    let shuttingDown = false;
    const app = await buildServer(own.services, { logger: false, isReady: () => !shuttingDown });
    try {
      const ok = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ status: 'ready' });
      shuttingDown = true;
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      shuttingDown = false;
      await own.close();
      dbClosed = true;
      const gone = await app.inject({ method: 'GET', url: '/readyz' });
      expect(gone.statusCode).toBe(503);
      expect(gone.json()).toEqual({ status: 'unavailable' });
      // Liveness does not depend on the database.
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      if (!dbClosed) await own.close();
    }
  });
});
