import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { createOrg, createUser } from '../support/factories.js';
import { gql, signInAs } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Every session records how the person proved who they are (amr, acr, auth_time), its access tokens carry
// it as the OIDC claims, and a refresh keeps it: a rotated token does not claim a newer authentication.

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const sessionsQuery = `{ sessions { id current authMethod authenticationMethods assuranceLevel authenticatedAt createdAt } }`;

describe('session authentication record', () => {
  it('a password sign-in is amr [pwd] at aal1, in the session and in its tokens, and a refresh keeps auth_time', async () => {
    const org = await createOrg(rt.services);
    const user = await createUser(rt.services, org.id, { role: 'viewer' });
    const signedInAt = rt.clock.now();
    const s = await signInAs(rt, app, user);

    const listed = (await gql(app, sessionsQuery, undefined, s.accessToken)).body.data.sessions;
    const current = listed.find((x: { current: boolean }) => x.current);
    expect(current).toMatchObject({
      authMethod: 'password',
      authenticationMethods: ['pwd'],
      assuranceLevel: 'aal1',
      authenticatedAt: signedInAt.toISOString(),
    });

    const claims = decodeJwt(s.accessToken);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe('aal1');
    expect(claims.auth_time).toBe(Math.floor(signedInAt.getTime() / 1000));

    rt.clock.advance(120_000);
    const refreshed = (
      await gql(
        app,
        `mutation($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken userErrors { code } } }`,
        { t: s.refreshToken },
      )
    ).body.data.refreshSession;
    expect(refreshed.userErrors).toEqual([]);
    const after = decodeJwt(refreshed.accessToken);
    expect(after.auth_time).toBe(claims.auth_time);
    expect(after.iat).toBeGreaterThan(claims.iat!);
    expect(after.amr).toEqual(['pwd']);
  });
});
