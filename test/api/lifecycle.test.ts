import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { createOrg, createUser } from '../support/factories.js';
import { gql, signInAs } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// The whole life of an account through GraphQL over HTTP: invite, accept, sign in, change role, edit the
// profile, suspend, reactivate, deactivate — checking each answer and the audit trail it leaves.

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

const password = 'violet harbour lantern 2026';
const tokenOf = (link: string) => decodeURIComponent(new URL(link).hash.replace(/^#token=/, ''));
const userRow = (id: string): Promise<UserRow> =>
  rt.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

const inviteMutation = `mutation($input: InviteUsersInput!) {
  inviteUsers(input: $input) {
    invitations {
      user { id email status role displayName }
      invitation { id status role message expiresAt invitedBy { id } }
      acceptLink
    }
    userErrors { code field message }
  }
}`;
const acceptMutation = `mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { user { id status displayName locale timeZone } userErrors { code field } }
}`;
const userFields =
  'user { id status role version statusReason displayName } userErrors { code field message }';

async function viewerOf(token: string) {
  const r = await gql(app, '{ viewer { id role status } }', undefined, token);
  return r.body.data?.viewer ?? null;
}

describe('account lifecycle over GraphQL', () => {
  it('invite → accept → sign in → change role → edit profile → suspend → reactivate → deactivate', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const ownerToken = (await signInAs(rt, app, owner)).accessToken;
    const adminToken = (await signInAs(rt, app, admin)).accessToken;

    // the organisation's invitation lifetime
    const settings = await gql(
      app,
      `mutation { updateOrganizationSettings(input: { invitationTtlDays: 10 }) {
        organization { settings } userErrors { code } } }`,
      undefined,
      ownerToken,
    );
    expect(settings.body.data.updateOrganizationSettings).toMatchObject({
      organization: { settings: { invitationTtlDays: 10 } },
      userErrors: [],
    });

    // invite: an atomic batch that names the refused entry…
    const refused = await gql(
      app,
      inviteMutation,
      {
        input: {
          invitations: [
            { email: 'dana@example.test', role: 'ANALYST' },
            { email: admin.email.toUpperCase(), role: 'VIEWER' },
          ],
        },
      },
      adminToken,
    );
    expect(refused.body.data.inviteUsers).toEqual({
      invitations: null,
      userErrors: [{ code: 'EMAIL_TAKEN', field: 'invitations.1.email', message: expect.any(String) }],
    });
    // …and then the corrected one
    const invitedAt = rt.clock.now();
    const invited = await gql(
      app,
      inviteMutation,
      {
        input: {
          invitations: [
            { email: 'dana@example.test', role: 'ANALYST', displayName: 'Dana', message: 'Welcome aboard' },
          ],
        },
      },
      adminToken,
    );
    const issued = invited.body.data.inviteUsers;
    expect(issued.userErrors).toEqual([]);
    expect(issued.invitations).toHaveLength(1);
    const [entry] = issued.invitations;
    expect(entry.user).toMatchObject({
      email: 'dana@example.test',
      status: 'INVITED',
      role: 'ANALYST',
      displayName: 'Dana',
    });
    expect(entry.invitation).toMatchObject({
      status: 'PENDING',
      role: 'ANALYST',
      message: 'Welcome aboard',
      invitedBy: { id: admin.id },
      expiresAt: new Date(invitedAt.getTime() + 10 * 86_400_000).toISOString(),
    });
    expect(entry.acceptLink.startsWith(`${rt.config.publicUrl}/accept-invitation#token=`)).toBe(true);
    const userId: string = entry.user.id;

    const pending = await gql(
      app,
      `{ invitations(status: PENDING, first: 10) {
        edges { cursor node { id status user { id } } } pageInfo { hasNextPage endCursor } } }`,
      undefined,
      adminToken,
    );
    expect(pending.body.data.invitations.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      entry.invitation.id,
    ]);
    expect(pending.body.data.invitations.pageInfo.hasNextPage).toBe(false);

    // accept, anonymously, with the token from the link
    rt.clock.advance(120_000);
    const token = tokenOf(entry.acceptLink);
    const accepted = await gql(app, acceptMutation, {
      input: { token, password, displayName: 'Dana Scully', locale: 'en-US', timeZone: 'America/New_York' },
    });
    expect(accepted.body.data.acceptInvitation).toEqual({
      user: {
        id: userId,
        status: 'ACTIVE',
        displayName: 'Dana Scully',
        locale: 'en-US',
        timeZone: 'America/New_York',
      },
      userErrors: [],
    });
    const again = await gql(app, acceptMutation, { input: { token, password } });
    expect(again.body.data.acceptInvitation).toEqual({
      user: null,
      userErrors: [{ code: 'INVITATION_INVALID', field: null }],
    });

    const inv = await gql(
      app,
      `query($id: ID!) { user(id: $id) { invitation { status acceptedAt timeToAcceptSeconds invitedBy { id } } } }`,
      { id: userId },
      adminToken,
    );
    expect(inv.body.data.user.invitation).toMatchObject({
      status: 'ACCEPTED',
      timeToAcceptSeconds: 120,
      invitedBy: { id: admin.id },
    });

    // sign in with the password chosen on acceptance
    let dana = await userRow(userId);
    let danaToken = (await signInAs(rt, app, dana, password)).accessToken;
    expect(await viewerOf(danaToken)).toEqual({ id: userId, role: 'ANALYST', status: 'ACTIVE' });

    // preview the role change, then make it: a downgrade ends the user's sessions at once
    const preview = await gql(
      app,
      `{ compareRoles(from: ANALYST, to: VIEWER) { gained { name } lost { name } } }`,
      undefined,
      adminToken,
    );
    expect(preview.body.data.compareRoles).toEqual({
      gained: [],
      lost: [{ name: 'reports:create' }, { name: 'reports:export' }],
    });
    dana = await userRow(userId);
    const changed = await gql(
      app,
      `mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { ${userFields} } }`,
      { input: { userId, role: 'VIEWER', expectedVersion: dana.version } },
      adminToken,
    );
    expect(changed.body.data.changeUserRole).toMatchObject({
      user: { id: userId, role: 'VIEWER', version: dana.version + 1 },
      userErrors: [],
    });
    expect(await viewerOf(danaToken)).toBeNull();
    const stale = await gql(
      app,
      `mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { ${userFields} } }`,
      { input: { userId, role: 'ANALYST', expectedVersion: dana.version } },
      adminToken,
    );
    expect(stale.body.data.changeUserRole.userErrors).toEqual([
      { code: 'VERSION_CONFLICT', field: null, message: expect.any(String) },
    ]);

    // the user edits their own profile, but not their custom attributes
    danaToken = (await signInAs(rt, app, dana, password)).accessToken;
    const edited = await gql(
      app,
      `mutation($input: UpdateUserProfileInput!) { updateUserProfile(input: $input) { ${userFields} } }`,
      { input: { userId, displayName: 'Dana K. Scully', jobTitle: 'Special Agent' } },
      danaToken,
    );
    expect(edited.body.data.updateUserProfile).toMatchObject({
      user: { displayName: 'Dana K. Scully' },
      userErrors: [],
    });
    const attrs = await gql(
      app,
      `mutation($input: UpdateUserProfileInput!) { updateUserProfile(input: $input) { ${userFields} } }`,
      { input: { userId, attributes: { clearance: 5 } } },
      danaToken,
    );
    expect(attrs.body.data.updateUserProfile).toEqual({
      user: null,
      userErrors: [{ code: 'FORBIDDEN', field: 'attributes', message: expect.any(String) }],
    });

    // suspend (sessions end), reactivate, deactivate
    const suspended = await gql(
      app,
      `mutation($input: SuspendUserInput!) { suspendUser(input: $input) { ${userFields} } }`,
      { input: { userId, reason: 'Security review' } },
      adminToken,
    );
    expect(suspended.body.data.suspendUser).toMatchObject({
      user: { status: 'SUSPENDED', statusReason: 'Security review' },
      userErrors: [],
    });
    expect(await viewerOf(danaToken)).toBeNull();
    const reactivated = await gql(
      app,
      `mutation($input: ReactivateUserInput!) { reactivateUser(input: $input) { ${userFields} } }`,
      { input: { userId } },
      adminToken,
    );
    expect(reactivated.body.data.reactivateUser).toMatchObject({
      user: { status: 'ACTIVE' },
      userErrors: [],
    });
    const deactivated = await gql(
      app,
      `mutation($input: DeactivateUserInput!) { deactivateUser(input: $input) { ${userFields} } }`,
      { input: { userId, reason: 'Left the bureau' } },
      adminToken,
    );
    expect(deactivated.body.data.deactivateUser).toMatchObject({
      user: { status: 'DEACTIVATED' },
      userErrors: [],
    });
    await expect(signInAs(rt, app, dana, password)).rejects.toThrow(/SIGN_IN_FAILED/);
    const roleOfGone = await gql(
      app,
      `mutation($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { ${userFields} } }`,
      { input: { userId, role: 'ANALYST' } },
      adminToken,
    );
    expect(roleOfGone.body.data.changeUserRole.userErrors[0].code).toBe('INVALID_TRANSITION');

    // the audit trail of the account, oldest first (sign-ins are the sessions' own events)
    const audit = await gql(
      app,
      `query($id: ID!) { auditEvents(filter: { targetId: $id }, order: OLDEST_FIRST, first: 50) {
        edges { node { action actorType actorId changes } } } }`,
      { id: userId },
      adminToken,
    );
    const trail = audit.body.data.auditEvents.edges
      .map((e: { node: { action: string } }) => e.node)
      .filter((n: { action: string }) => !n.action.startsWith('session.'));
    expect(trail.map((n: { action: string }) => n.action)).toEqual([
      'user.invited',
      'user.activated',
      'invitation.accepted',
      'user.role_changed',
      'user.updated',
      'user.suspended',
      'user.reactivated',
      'user.deactivated',
    ]);
    const by = (action: string) => trail.find((n: { action: string }) => n.action === action);
    expect(by('user.invited')).toMatchObject({
      actorType: 'USER',
      actorId: admin.id,
      changes: { role: 'analyst' },
    });
    expect(by('invitation.accepted')).toMatchObject({ actorType: 'SYSTEM', actorId: null });
    expect(by('user.role_changed')).toMatchObject({
      actorId: admin.id,
      changes: {
        role: { from: 'analyst', to: 'viewer' },
        gained: [],
        lost: ['reports:create', 'reports:export'],
      },
    });
    expect(by('user.updated')).toMatchObject({
      actorId: userId,
      changes: {
        displayName: { from: 'Dana Scully', to: 'Dana K. Scully' },
        jobTitle: { from: null, to: 'Special Agent' },
      },
    });
  });

  it('resends and revokes invitations over GraphQL, within the actor’s rights', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const manager = await createUser(s, org.id, { role: 'user_manager' });
    const managerToken = (await signInAs(rt, app, manager)).accessToken;

    const owner = await gql(
      app,
      inviteMutation,
      { input: { invitations: [{ email: 'boss@example.test', role: 'OWNER' }] } },
      managerToken,
    );
    expect(owner.body.data.inviteUsers.userErrors).toEqual([
      { code: 'ROLE_NOT_GRANTABLE', field: 'invitations.0.role', message: expect.any(String) },
    ]);
    const invited = await gql(
      app,
      inviteMutation,
      { input: { invitations: [{ email: 'fox@example.test', role: 'VIEWER' }] } },
      managerToken,
    );
    const [entry] = invited.body.data.inviteUsers.invitations;
    const userId: string = entry.user.id;
    rt.clock.advance(1000);

    const resent = await gql(
      app,
      `mutation($input: ResendInvitationInput!) { resendInvitation(input: $input) {
        invitation { acceptLink invitation { status role expiresAt } } userErrors { code field } } }`,
      { input: { userId, role: 'USER_MANAGER', expiresInDays: 2 } },
      managerToken,
    );
    const r = resent.body.data.resendInvitation;
    expect(r.userErrors).toEqual([]);
    expect(r.invitation.invitation).toMatchObject({ status: 'PENDING', role: 'USER_MANAGER' });
    expect(r.invitation.acceptLink).not.toBe(entry.acceptLink);
    const old = await gql(app, acceptMutation, { input: { token: tokenOf(entry.acceptLink), password } });
    expect(old.body.data.acceptInvitation.userErrors).toEqual([{ code: 'INVITATION_INVALID', field: null }]);

    const revoked = await gql(
      app,
      `mutation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) {
        invitation { status user { id status viewerCan { resendInvitation revokeInvitation } } } userErrors { code } } }`,
      { input: { userId } },
      managerToken,
    );
    expect(revoked.body.data.revokeInvitation).toEqual({
      invitation: {
        status: 'REVOKED',
        user: {
          id: userId,
          status: 'INVITED',
          viewerCan: { resendInvitation: true, revokeInvitation: true },
        },
      },
      userErrors: [],
    });
    const dead = await gql(app, acceptMutation, {
      input: { token: tokenOf(r.invitation.acceptLink), password },
    });
    expect(dead.body.data.acceptInvitation.userErrors).toEqual([{ code: 'INVITATION_INVALID', field: null }]);

    const list = await gql(
      app,
      `{ invitations(first: 1) { edges { node { status } } pageInfo { hasNextPage endCursor } } }`,
      undefined,
      managerToken,
    );
    expect(list.body.data.invitations.edges).toEqual([{ node: { status: 'REVOKED' } }]);
    const next = await gql(
      app,
      `query($after: String) { invitations(first: 5, after: $after) { edges { node { status } } pageInfo { hasNextPage } } }`,
      { after: list.body.data.invitations.pageInfo.endCursor },
      managerToken,
    );
    expect(next.body.data.invitations).toEqual({
      edges: [{ node: { status: 'SUPERSEDED' } }],
      pageInfo: { hasNextPage: false },
    });

    // reads need invitations:read; another sign-in shows nothing of this organisation
    const other = await createOrg(s);
    const analyst = await createUser(s, other.id, { role: 'analyst' });
    const analystToken = (await signInAs(rt, app, analyst)).accessToken;
    const denied = await gql(app, '{ invitations { edges { cursor } } }', undefined, analystToken);
    expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const stranger = await gql(
      app,
      `mutation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) { userErrors { code } } }`,
      { input: { userId } },
      (await signInAs(rt, app, await createUser(s, other.id, { role: 'administrator' }))).accessToken,
    );
    expect(stranger.body.data.revokeInvitation.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
  });
});
