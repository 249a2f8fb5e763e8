import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { createOrg, createUser } from '../support/factories.js';
import { gql, signInAs } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Inviting an email that is taken answers EMAIL_TAKEN; the error names the existing user (so the console
// can offer Resend) only when that user is still invited and the inviter may resend their invitation.

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

const inviteMutation = `mutation($input: InviteUsersInput!) {
  inviteUsers(input: $input) {
    invitations { user { id } }
    userErrors { code field userId }
  }
}`;
const invite = async (token: string, email: string, role = 'VIEWER') =>
  (await gql(app, inviteMutation, { input: { invitations: [{ email, role }] } }, token)).body.data
    .inviteUsers;

describe('EMAIL_TAKEN offers Resend', () => {
  it('names the still-invited user to an inviter who may resend, and no one else', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const active = await createUser(s, org.id, { role: 'viewer' });
    const ownerToken = (await signInAs(rt, app, owner)).accessToken;
    const adminToken = (await signInAs(rt, app, admin)).accessToken;

    const first = await invite(adminToken, 'pending@example.test');
    const pendingId = first.invitations[0].user.id as string;
    expect(first.userErrors).toEqual([]);

    // a pending invitation the admin may resend: the error carries the user's id
    expect(await invite(adminToken, 'PENDING@example.test')).toEqual({
      invitations: null,
      userErrors: [{ code: 'EMAIL_TAKEN', field: 'invitations.0.email', userId: pendingId }],
    });

    // an active user: nothing to resend, no id
    expect((await invite(adminToken, active.email)).userErrors).toEqual([
      { code: 'EMAIL_TAKEN', field: 'invitations.0.email', userId: null },
    ]);

    // invited as owner, a role the administrator cannot grant (so cannot resend): no id for them…
    const ownerInvite = await invite(ownerToken, 'future-owner@example.test', 'OWNER');
    const futureOwnerId = ownerInvite.invitations[0].user.id as string;
    expect((await invite(adminToken, 'future-owner@example.test')).userErrors).toEqual([
      { code: 'EMAIL_TAKEN', field: 'invitations.0.email', userId: null },
    ]);
    // …but the owner, who may, gets it
    expect((await invite(ownerToken, 'future-owner@example.test')).userErrors).toEqual([
      { code: 'EMAIL_TAKEN', field: 'invitations.0.email', userId: futureOwnerId },
    ]);
  });
});
