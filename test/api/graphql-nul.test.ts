import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { OrganizationRow, UserRow } from '../../src/db/schema.js';
import { gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let rt: TestRuntime;
let app: RosterServer;
let org: OrganizationRow;
let owner: UserRow;
let token: string;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  org = await createOrg(rt.services, 'Nul Org');
  owner = await createUser(rt.services, org.id, { role: 'owner' });
  token = (await signInAs(rt, app, owner)).accessToken;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const nul = '\u0000';
const signIn = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken userErrors { code field message } } }`;

/** Issue 10 item 3: a NUL in any string input reached PostgreSQL and answered INTERNAL. */
describe('a NUL character in a string input', () => {
  it('is refused in signIn’s organization (a variable) as VALIDATION_FAILED naming the field', async () => {
    const r = await gql(app, signIn, {
      input: { email: owner.email, password: 'x'.repeat(16), organization: nul },
    });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.signIn.accessToken).toBeNull();
    expect(r.body.data.signIn.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'organization', message: expect.stringMatching(/NUL/) },
    ]);
    // …and in the email, and with the NUL inside a longer string.
    const e = await gql(app, signIn, { input: { email: `a${nul}@example.test`, password: 'x'.repeat(16) } });
    expect(e.body.data.signIn.userErrors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: 'email' });
  });

  it('is refused in a literal argument of the document', async () => {
    const r = await gql(
      app,
      `mutation { signIn(input: { email: "a@example.test", password: "xxxxxxxxxxxxxxxx", organization: "a\\u0000b" }) { accessToken userErrors { code field } } }`,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.signIn.userErrors).toEqual([{ code: 'VALIDATION_FAILED', field: 'organization' }]);
  });

  it('is refused in a nested input object inside a list (inviteUsers)', async () => {
    const r = await gql(
      app,
      `mutation($input: InviteUsersInput!) { inviteUsers(input: $input) { invitations { acceptLink } userErrors { code field } } }`,
      {
        input: {
          invitations: [
            { email: 'first@example.test', role: 'VIEWER' },
            { email: 'second@example.test', role: 'VIEWER', displayName: `Sec${nul}ond` },
          ],
        },
      },
      token,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.inviteUsers.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'invitations.1.displayName' },
    ]);
    // Nothing was applied: the first entry was not invited either.
    const invited = await rt.services.db
      .selectFrom('users')
      .select('email')
      .where('org_id', '=', org.id)
      .where('email', 'in', ['first@example.test', 'second@example.test'])
      .execute();
    expect(invited).toEqual([]);
  });

  it('is refused inside a JSON value (custom attributes), key or string', async () => {
    const mutation = `mutation($input: UpdateUserProfileInput!) { updateUserProfile(input: $input) { user { id } userErrors { code field } } }`;
    const value = await gql(
      app,
      mutation,
      { input: { userId: owner.id, attributes: { costCentre: `C${nul}1` } } },
      token,
    );
    expect(value.body.errors).toBeUndefined();
    expect(value.body.data.updateUserProfile.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'attributes.costCentre' },
    ]);
    const key = await gql(
      app,
      mutation,
      { input: { userId: owner.id, attributes: { [`cost${nul}`]: 'C1' } } },
      token,
    );
    expect(key.body.data.updateUserProfile.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'attributes' },
    ]);
  });

  it('is refused in a query’s arguments as a VALIDATION_FAILED error naming the field', async () => {
    const r = await gql(
      app,
      `query($filter: UserFilter) { users(filter: $filter) { edges { node { id } } } }`,
      { filter: { search: `ab${nul}` } },
      token,
    );
    expect(r.status).toBe(200);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors[0].extensions).toEqual({
      code: 'VALIDATION_FAILED',
      details: { field: 'filter.search' },
    });
    const id = await gql(app, `{ user(id: "${'0'.repeat(8)}\\u0000") { id } }`, undefined, token);
    expect(id.body.errors[0].extensions).toEqual({ code: 'VALIDATION_FAILED', details: { field: 'id' } });
  });

  it('leaves strings without NUL alone (other control characters reach the command’s own checks)', async () => {
    const r = await gql(app, signIn, {
      input: { email: owner.email, password: 'x'.repeat(16), organization: org.slug },
    });
    expect(r.body.data.signIn.userErrors).toEqual([expect.objectContaining({ code: 'SIGN_IN_FAILED' })]);
  });
});
