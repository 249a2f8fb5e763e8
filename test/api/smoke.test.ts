import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildServer } from '../../src/api/http/server.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

it('answers an anonymous viewer query with null and a health check', async () => {
  const app = await buildServer(rt.services, { logger: false });
  const r = await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ viewer { id } }' } });
  expect(r.statusCode).toBe(200);
  expect(r.json()).toEqual({ data: { viewer: null } });
  const o = await app.inject({
    method: 'POST',
    url: '/graphql',
    payload: { query: '{ organization { id } }' },
  });
  expect(o.json().errors[0].extensions.code).toBe('UNAUTHENTICATED');
  const h = await app.inject({ method: 'GET', url: '/healthz' });
  expect(h.json()).toEqual({ status: 'ok' });
  await app.close();
});
