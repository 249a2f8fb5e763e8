import { decodeJwt } from 'jose';
import type { RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { hashPassword } from '../../src/domain/security/password-hash.js';
import type { TestRuntime } from './test-runtime.js';

/** The password `signInAs` gives a user that has none. Long enough for the policy, not common. */
export const defaultTestPassword = 'correct horse battery staple 42';

/** A GraphQL request over HTTP (app.inject), optionally with an access token. */
export async function gql(
  app: RosterServer,
  query: string,
  variables?: Record<string, unknown>,
  accessToken?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any }> {
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
    payload: { query, ...(variables ? { variables } : {}) },
  });
  return { status: r.statusCode, body: r.json() };
}

const signInMutation = `mutation($input: SignInInput!) {
  signIn(input: $input) { accessToken refreshToken expiresAt userErrors { code message } }
}`;

/**
 * Signs a user in through the real signIn mutation. A user without a password gets `password` (or the
 * default test password) hashed straight into the database first.
 */
export async function signInAs(
  rt: TestRuntime,
  app: RosterServer,
  user: UserRow,
  password?: string,
): Promise<{ accessToken: string; refreshToken: string; sessionId: string }> {
  const db = rt.services.db;
  const row = await db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .select(['users.password_hash', 'organizations.slug'])
    .where('users.id', '=', user.id)
    .executeTakeFirstOrThrow();
  const pw = password ?? defaultTestPassword;
  if (!row.password_hash) {
    await db
      .updateTable('users')
      .set({ password_hash: await hashPassword(pw) })
      .where('id', '=', user.id)
      .execute();
  }
  const r = await gql(app, signInMutation, {
    input: { email: user.email, password: pw, organization: row.slug },
  });
  const p = r.body?.data?.signIn;
  if (!p?.accessToken) {
    throw new Error(`signInAs(${user.email}) failed: ${JSON.stringify(r.body)}`);
  }
  const sid = decodeJwt(p.accessToken).sid;
  if (typeof sid !== 'string') throw new Error('access token without sid');
  return { accessToken: p.accessToken, refreshToken: p.refreshToken, sessionId: sid };
}

let ipCounter = 0;
/** A fresh source address per call site, so per-IP throttling of one test does not leak into another. */
export function freshIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

/** The signIn mutation from a given source address; returns the payload and how long it took. */
export async function signInRequest(
  app: RosterServer,
  input: { email: string; password: string; organization?: string | null },
  ip = '127.0.0.1',
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; payload: any; ms: number }> {
  const started = process.hrtime.bigint();
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    remoteAddress: ip,
    payload: { query: signInMutation, variables: { input } },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { status: r.statusCode, payload: r.json().data?.signIn ?? r.json(), ms };
}
