import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signInAs } from '../support/auth.js';
import {
  departmentMemberIds,
  expectScimError,
  json,
  openScimHarness,
  scimSchemas,
  type ScimHarness,
} from '../support/scim-http.js';

// What the Microsoft Entra provisioning service (job "scim") sends, as Microsoft documents it: the tutorial
// "Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID" (request/response examples) and
// "Known issues and resolutions with SCIM 2.0 protocol compliance" (capitalised ops, booleans as strings,
// path-less values with dotted keys). Entra looks a user up by userName before creating, updates with PATCH
// only, disables ("soft-deletes") with active=false and re-enables with active=true, and sends DELETE only
// for a hard delete (30 days after a soft delete).

let h: ScimHarness;
beforeAll(async () => {
  h = await openScimHarness('Entra dialect org', 'user_manager', ['users', 'groups']);
});
afterAll(async () => {
  await h?.close();
});

const { user: coreSchema, enterprise, patchOp } = scimSchemas;
const lookUp = (attr: string, value: string) =>
  h.scim('GET', `/Users?filter=${encodeURIComponent(`${attr} eq "${value}"`)}`);
const rowOf = (id: string) =>
  h.rt.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('Microsoft Entra ID provisioning cycle', () => {
  const upn = 'Adele.Vance@entra-dialect.test';
  const externalId = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef';
  let id = '';
  let managerId = '';

  it('looks the user up by userName (no match: an empty ListResponse), then creates them', async () => {
    const none = await lookUp('userName', upn);
    expect(none.statusCode).toBe(200);
    expect(json(none)).toMatchObject({ schemas: [scimSchemas.list], totalResults: 0, Resources: [] });

    // the manager first (Entra provisions in scope order; the reference is set later by PATCH)
    const boss = await h.scim('POST', '/Users', {
      schemas: [coreSchema, enterprise],
      externalId: 'b1b6a0f2-0000-4f8e-bf98-7363c4aed4ef',
      userName: 'Megan.Bowen@entra-dialect.test',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Megan.Bowen@entra-dialect.test' }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Megan Bowen', familyName: 'Bowen', givenName: 'Megan' },
      roles: [],
    });
    expect(boss.statusCode, boss.body).toBe(201);
    managerId = json(boss).id;

    const r = await h.scim('POST', '/Users', {
      schemas: [coreSchema, enterprise],
      externalId,
      userName: upn,
      active: true,
      emails: [{ primary: true, type: 'work', value: upn }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Adele Vance', familyName: 'Vance', givenName: 'Adele' },
      title: 'Retail Manager',
      roles: [],
      [enterprise]: { employeeNumber: '1138', department: 'Retail' },
    });
    expect(r.statusCode, r.body).toBe(201);
    const u = json(r);
    id = u.id;
    expect(u).toMatchObject({
      externalId,
      userName: upn,
      active: true,
      displayName: 'Adele Vance',
      name: { givenName: 'Adele', familyName: 'Vance', formatted: 'Adele Vance' },
      [enterprise]: { employeeNumber: '1138', department: 'Retail' },
    });
    // the same look-ups now find exactly this user (userName case-insensitively, externalId exactly)
    expect(
      json(await lookUp('userName', upn.toLowerCase())).Resources.map((x: { id: string }) => x.id),
    ).toEqual([id]);
    expect(json(await lookUp('externalId', externalId)).totalResults).toBe(1);
    expect(json(await lookUp('externalId', externalId.toUpperCase())).totalResults).toBe(0);
    // a second create of the same person (a retry) is a conflict, not a duplicate
    const again = await h.scim('POST', '/Users', {
      schemas: [coreSchema],
      externalId,
      userName: upn,
      active: true,
    });
    expectScimError(again, 409, 'uniqueness');
  });

  it('updates with "Replace"/"Add" ops: emails[type eq "work"].value, name.familyName, title, the manager by id', async () => {
    const r = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: upn },
        { op: 'Replace', path: 'name.familyName', value: 'Vance-Smith' },
        { op: 'Add', path: 'title', value: 'Retail Director' },
        { op: 'Add', path: `${enterprise}:manager`, value: managerId },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const u = json(r);
    expect(u.name.familyName).toBe('Vance-Smith');
    expect(u.title).toBe('Retail Director');
    expect(u[enterprise].manager.value).toBe(managerId);
    expect(u.emails).toEqual([{ value: upn, type: 'work', primary: true }]);
  });

  it('updates with a path-less "Replace" whose keys are dotted paths, URN paths and value paths', async () => {
    const r = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [
        {
          op: 'Replace',
          value: {
            displayName: 'Adele V.',
            'name.givenName': 'Adèle',
            [`${enterprise}:department`]: 'Retail EMEA',
            'emails[type eq "work"].value': upn,
          },
        },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
    const u = json(r);
    expect(u.displayName).toBe('Adele V.');
    expect(u.name.givenName).toBe('Adèle');
    expect(u[enterprise].department).toBe('Retail EMEA');
  });

  it('soft-deletes with active "False" (a string): suspended, sessions ended; GET shows active false', async () => {
    const session = await signInAs(h.rt, h.app, await rowOf(id));
    const r = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r).active).toBe(false);
    expect((await rowOf(id)).status).toBe('suspended');
    expect((await gql(h.app, '{ viewer { id } }', undefined, session.accessToken)).body.data).toEqual({
      viewer: null,
    });
    // Entra's validator checks that a filtered GET of a disabled user carries active
    const found = json(await lookUp('userName', upn));
    expect(found.Resources[0].active).toBe(false);
  });

  it('re-enables with active "True" (path-less, as the older job sends it)', async () => {
    const r = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Replace', value: { active: 'True' } }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r).active).toBe(true);
    expect((await rowOf(id)).status).toBe('active');
  });

  it('a userName (UPN) rename moves the sign-in address: audited; a taken address is 409 uniqueness', async () => {
    const renamed = 'Adele.Renamed@entra-dialect.test';
    const r = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Replace', path: 'userName', value: renamed }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r)).toMatchObject({
      userName: renamed,
      emails: [{ value: renamed, type: 'work', primary: true }],
    });
    expect(await rowOf(id)).toMatchObject({ email: renamed, email_normalized: renamed.toLowerCase() });
    expect(json(await lookUp('userName', upn)).totalResults).toBe(0);
    expect(json(await lookUp('userName', renamed)).Resources.map((u: { id: string }) => u.id)).toEqual([id]);
    const audit = await h.rt.services.db
      .selectFrom('audit_events')
      .select(['actor_type', 'changes'])
      .where('target_id', '=', id)
      .where('action', '=', 'user.email_changed')
      .execute();
    expect(audit).toEqual([{ actor_type: 'api_credential', changes: { email: { from: upn, to: renamed } } }]);
    // Entra's usual form: userName and the work email together. Onto another person's address: refused.
    const taken = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [
        { op: 'Replace', path: 'userName', value: 'megan.bowen@entra-dialect.test' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'megan.bowen@entra-dialect.test' },
      ],
    });
    expectScimError(taken, 409, 'uniqueness');
    expect((await rowOf(id)).email).toBe(renamed);
    const back = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [
        { op: 'Replace', path: 'userName', value: upn },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: upn },
      ],
    });
    expect(back.statusCode, back.body).toBe(200);
    expect((await rowOf(id)).email).toBe(upn);
  });

  it('hard-deletes with DELETE: 204, then the user is gone (404) and not found by userName', async () => {
    const r = await h.scim('DELETE', `/Users/${id}`);
    expect(r.statusCode).toBe(204);
    expectScimError(await h.scim('GET', `/Users/${id}`), 404);
    expect(json(await lookUp('userName', upn)).totalResults).toBe(0);
    expect((await rowOf(id)).status).toBe('deactivated');
  });
});

// Groups as the same tutorial shows them: created with an empty member list, looked up by displayName with
// members excluded, members added and removed by PATCH "Add"/"Remove" on `members` with a value list
// (`$ref` null), renamed by "Replace" of displayName, each answered 204, and deleted.
describe('Microsoft Entra ID group provisioning', () => {
  const groupSchema = scimSchemas.group;
  const displayName = 'Contoso Fraud Analysts';
  let groupId = '';
  let userId = '';
  const members = () => departmentMemberIds(h, groupId);

  it('looks the group up by displayName (excludedAttributes=members), then creates it with no members', async () => {
    const find = () =>
      h.scim(
        'GET',
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`,
      );
    expect(json(await find())).toMatchObject({ totalResults: 0, Resources: [] });
    const r = await h.scim('POST', '/Groups', {
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName,
      meta: { resourceType: 'Group' },
      members: [],
      schemas: [groupSchema],
    });
    expect(r.statusCode, r.body).toBe(201);
    groupId = json(r).id;
    const found = json(await find());
    expect(found.Resources.map((g: { id: string }) => g.id)).toEqual([groupId]);
    expect(found.Resources[0].members).toBeUndefined();
    const byId = json(await h.scim('GET', `/Groups/${groupId}?excludedAttributes=members`));
    expect(byId).toMatchObject({
      id: groupId,
      displayName,
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
    });
    expect(byId.members).toBeUndefined();
  });

  it('adds a member with "Add" and a value list, and checks the membership by filter', async () => {
    const u = await h.scim('POST', '/Users', {
      schemas: [coreSchema],
      userName: 'Lee.Gu@entra-dialect.test',
      active: true,
      emails: [{ primary: true, type: 'work', value: 'Lee.Gu@entra-dialect.test' }],
      name: { givenName: 'Lee', familyName: 'Gu' },
    });
    expect(u.statusCode, u.body).toBe(201);
    userId = json(u).id;
    const r = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }],
    });
    expect(r.statusCode, r.body).toBe(204);
    expect(await members()).toEqual([userId]);
    const check = await h.scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${groupId}" and members[value eq "${userId}"]`)}`,
    );
    expect(json(check).totalResults).toBe(1);
    // The user's own resource lists the group.
    expect(json(await h.scim('GET', `/Users/${userId}`)).groups).toEqual([
      expect.objectContaining({ value: groupId, display: displayName }),
    ]);
  });

  it('renames with "Replace" of displayName, removes the member with "Remove" and a value list', async () => {
    const rename = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Replace', path: 'displayName', value: `${displayName} (EMEA)` }],
    });
    expect(rename.statusCode, rename.body).toBe(204);
    expect(json(await h.scim('GET', `/Groups/${groupId}`)).displayName).toBe(`${displayName} (EMEA)`);
    const remove = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: userId }] }],
    });
    expect(remove.statusCode, remove.body).toBe(204);
    expect(await members()).toEqual([]);
    // The filtered form of the same removal, as the compliance notes show it.
    const back = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: userId }] }],
    });
    expect(back.statusCode, back.body).toBe(204);
    expect(await members()).toEqual([userId]);
    const filtered = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'Remove', path: `members[$ref eq null and value eq "${userId}"]` }],
    });
    expect(filtered.statusCode, filtered.body).toBe(204);
    expect(await members()).toEqual([]);
  });

  it('deletes the group: 204, then 404', async () => {
    expect((await h.scim('DELETE', `/Groups/${groupId}`)).statusCode).toBe(204);
    expectScimError(await h.scim('GET', `/Groups/${groupId}`), 404);
  });
});
