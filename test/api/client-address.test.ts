import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { defaultTestPassword } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// The client address feeds per-source throttling and the audit trail: it may come from X-Forwarded-For
// only when the operator says a proxy is in front (TRUST_PROXY), never by default.

async function signInFrom(app: RosterServer, rt: TestRuntime, forwardedFor: string) {
  const org = await createOrg(rt.services);
  const user = await createUser(rt.services, org.id, { password: defaultTestPassword });
  await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'x-forwarded-for': forwardedFor },
    payload: {
      query: 'mutation($i: SignInInput!) { signIn(input: $i) { accessToken } }',
      variables: { i: { email: user.email, password: defaultTestPassword, organization: org.slug } },
    },
  });
  const event = await rt.services.db
    .selectFrom('audit_events')
    .select('ip')
    .where('org_id', '=', org.id)
    .where('action', '=', 'session.signed_in')
    .executeTakeFirstOrThrow();
  return event.ip;
}

describe('client address', () => {
  let rt: TestRuntime;
  let proxied: TestRuntime;
  let app: RosterServer;
  let proxiedApp: RosterServer;
  beforeAll(async () => {
    rt = await openTestRuntime();
    proxied = await openTestRuntime({ TRUST_PROXY: '1' });
    app = await buildServer(rt.services, { logger: false });
    proxiedApp = await buildServer(proxied.services, { logger: false });
  });
  afterAll(async () => {
    await app?.close();
    await proxiedApp?.close();
    await rt?.close();
    await proxied?.close();
  });

  it('ignores X-Forwarded-For by default', async () => {
    expect(await signInFrom(app, rt, '203.0.113.7')).toBe('127.0.0.1');
  });

  it('takes the client address from the nearest trusted proxy hop when TRUST_PROXY is set', async () => {
    expect(await signInFrom(proxiedApp, proxied, '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
  });
});
