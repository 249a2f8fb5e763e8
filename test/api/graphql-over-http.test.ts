import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let rt: TestRuntime;
let app: RosterServer;
let url: string;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  url = `${address}/graphql`;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  it('passes every MUST audit', async () => {
    const results = await auditServer({ url });
    const failures = results
      .filter((r) => r.name.startsWith('MUST') && r.status !== 'ok')
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failures).toEqual([]);
  });

  it('passes the SHOULD audits too', async () => {
    const results = await auditServer({ url });
    const failures = results
      .filter((r) => r.name.startsWith('SHOULD') && r.status !== 'ok')
      .map((r) => `${r.name}: ${'reason' in r ? r.reason : ''}`);
    expect(failures).toEqual([]);
  });
});
