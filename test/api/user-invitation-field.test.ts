import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { inviteUsers } from '../../src/domain/users/invite-users.js';
import { revokeInvitation } from '../../src/domain/invitations/revoke-invitation.js';
import { gql, signInAs } from '../support/auth.js';
import { actorFor, contextFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

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

it('shows each listed user’s latest invitation (batched per page), null for those never invited', async () => {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator', displayName: 'Admin' });
  const ctx = contextFor(s, await actorFor(s, admin));
  const issued = await inviteUsers(ctx, {
    invitations: [
      { email: 'a-pending@example.test', role: 'viewer', displayName: 'A Pending' },
      { email: 'b-revoked@example.test', role: 'analyst', displayName: 'B Revoked' },
    ],
  });
  await revokeInvitation(ctx, { userId: issued[1]!.user.id });
  const { accessToken } = await signInAs(rt, app, admin);

  const r = await gql(
    app,
    '{ users(first: 10, orderBy: { field: NAME, direction: ASC }) { nodes { displayName invitation { status role } } } }',
    undefined,
    accessToken,
  );
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data.users.nodes).toEqual([
    { displayName: 'A Pending', invitation: { status: 'PENDING', role: 'VIEWER' } },
    { displayName: 'Admin', invitation: null },
    { displayName: 'B Revoked', invitation: { status: 'REVOKED', role: 'ANALYST' } },
  ]);
});
