import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { createOrg, createUser } from '../support/factories.js';
import { gql, signInAs } from '../support/auth.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// The lifetimes in force, as the settings page reads them: defaults filled in, `organization:read` only,
// and the bounds refused with a message that names them at the field.

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

const lifetimes = '{ organization { invitationTtlDays sessionIdleMinutes sessionAbsoluteHours } }';

describe('organisation lifetimes over GraphQL', () => {
  it('reads the values in force, defaults filled in, and refuses those without organization:read', async () => {
    const org = await createOrg(rt.services);
    const auditor = (await signInAs(rt, app, await createUser(rt.services, org.id, { role: 'auditor' })))
      .accessToken;
    const investigator = (
      await signInAs(rt, app, await createUser(rt.services, org.id, { role: 'investigator' }))
    ).accessToken;
    const owner = (await signInAs(rt, app, await createUser(rt.services, org.id, { role: 'owner' })))
      .accessToken;

    const before = await gql(app, lifetimes, undefined, auditor);
    expect(before.body.data.organization).toEqual({
      invitationTtlDays: 7,
      sessionIdleMinutes: 60,
      sessionAbsoluteHours: 24,
    });
    const refused = await gql(app, lifetimes, undefined, investigator);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const tooLong = await gql(
      app,
      'mutation { updateOrganizationSettings(input: { invitationTtlDays: 91 }) { userErrors { code field message } } }',
      undefined,
      owner,
    );
    expect(tooLong.body.data.updateOrganizationSettings.userErrors).toEqual([
      {
        code: 'VALIDATION_FAILED',
        field: 'invitationTtlDays',
        message: 'invitationTtlDays: Must be a whole number from 1 to 90.',
      },
    ]);
    const saved = await gql(
      app,
      'mutation { updateOrganizationSettings(input: { sessionIdleMinutes: 30 }) { userErrors { code } } }',
      undefined,
      owner,
    );
    expect(saved.body.data.updateOrganizationSettings.userErrors).toEqual([]);
    const after = await gql(app, lifetimes, undefined, auditor);
    expect(after.body.data.organization).toEqual({
      invitationTtlDays: 7,
      sessionIdleMinutes: 30,
      sessionAbsoluteHours: 24,
    });
  });

  it('reads and changes the SCIM provisioning settings: invitations off and suspend by default', async () => {
    const org = await createOrg(rt.services);
    const owner = (await signInAs(rt, app, await createUser(rt.services, org.id, { role: 'owner' })))
      .accessToken;
    const read = '{ organization { scimCreatesInvitations scimDeactivation } }';
    expect((await gql(app, read, undefined, owner)).body.data.organization).toEqual({
      scimCreatesInvitations: false,
      scimDeactivation: 'suspend',
    });
    const wrong = await gql(
      app,
      'mutation { updateOrganizationSettings(input: { scimDeactivation: "delete" }) { userErrors { code field } } }',
      undefined,
      owner,
    );
    expect(wrong.body.data.updateOrganizationSettings.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'scimDeactivation' },
    ]);
    const saved = await gql(
      app,
      'mutation { updateOrganizationSettings(input: { scimCreatesInvitations: true, scimDeactivation: "deactivate" }) { userErrors { code } } }',
      undefined,
      owner,
    );
    expect(saved.body.data.updateOrganizationSettings.userErrors).toEqual([]);
    expect((await gql(app, read, undefined, owner)).body.data.organization).toEqual({
      scimCreatesInvitations: true,
      scimDeactivation: 'deactivate',
    });
    // Letting tokens deactivate for good is a security setting: a sign-in older than the window must confirm.
    await rt.services.db
      .updateTable('sessions')
      .set({ auth_time: new Date(rt.services.clock.now().getTime() - 60 * 60_000) })
      .where('org_id', '=', org.id)
      .execute();
    const stale = await gql(
      app,
      'mutation { updateOrganizationSettings(input: { scimDeactivation: "suspend" }) { userErrors { code } } }',
      undefined,
      owner,
    );
    expect(stale.body.data.updateOrganizationSettings.userErrors).toEqual([
      { code: 'REAUTHENTICATION_REQUIRED' },
    ]);
    const invitations = await gql(
      app,
      'mutation { updateOrganizationSettings(input: { scimCreatesInvitations: false }) { userErrors { code } } }',
      undefined,
      owner,
    );
    expect(invitations.body.data.updateOrganizationSettings.userErrors).toEqual([]);
  });
});
