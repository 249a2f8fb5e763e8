import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, signInAs } from '../support/auth.js';
import {
  departmentMemberIds,
  expectScimError,
  json,
  openScimHarness,
  scimSchemas,
  type Loose,
  type ScimHarness,
} from '../support/scim-http.js';

// What Okta sends, as its developer documentation "Okta and SCIM Version 2.0" describes it: a connection
// test `GET /Users?startIndex=1&count=2`, a userName look-up with `startIndex=1&count=100` before every
// create, POST with the app profile (including a password and a locale, which Roster does not take from an
// IdP), PUT with the whole object for profile updates (custom app integrations), and
// `{"op":"replace","value":{"active":false}}` (no path) to deactivate, `active: true` to reactivate.

let h: ScimHarness;
beforeAll(async () => {
  h = await openScimHarness('Okta dialect org', 'user_manager', ['users', 'groups']);
});
afterAll(async () => {
  await h?.close();
});

const { user: coreSchema, patchOp } = scimSchemas;
const userName = 'test.user@okta-dialect.test';
const rowOf = (id: string) =>
  h.rt.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const lookUp = () =>
  h.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`);

describe('Okta provisioning cycle', () => {
  let id = '';
  let created: Loose;

  it('tests the connection with a two-item page, then looks the user up with startIndex=1&count=100', async () => {
    const page = await h.scim('GET', '/Users?startIndex=1&count=2');
    expect(page.statusCode).toBe(200);
    const p = json(page);
    expect(p.schemas).toEqual([scimSchemas.list]);
    expect(p.startIndex).toBe(1);
    expect(p.itemsPerPage).toBe(2);
    expect(p.Resources).toHaveLength(2);
    expect(p.totalResults).toBeGreaterThanOrEqual(2);
    const none = await lookUp();
    expect(none.statusCode).toBe(200);
    expect(json(none)).toMatchObject({ totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
  });

  it('creates the user with Okta’s body (password and locale are not taken), 201 with the id Okta stores', async () => {
    const r = await h.scim('POST', '/Users', {
      schemas: [coreSchema],
      userName,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(r.statusCode, r.body).toBe(201);
    created = json(r);
    id = created.id;
    expect(created).toMatchObject({
      userName,
      externalId: '00ujl29u0le5T6Aj10h7',
      displayName: 'Test User',
      active: true,
    });
    expect(created.password).toBeUndefined();
    expect((await rowOf(id)).password_hash).toBeNull(); // the person sets their own, by the emailed link
    const found = json(await lookUp());
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0].id).toBe(id);
  });

  it('updates the profile with PUT of the whole object it read (GET then PUT)', async () => {
    const current = json(await h.scim('GET', `/Users/${id}`));
    const r = await h.scim('PUT', `/Users/${id}`, {
      ...current,
      name: { givenName: 'Another', familyName: 'User' },
      displayName: 'Another User',
      title: 'Tester',
      locale: 'en-US',
      password: 'not-taken-either',
    });
    expect(r.statusCode, r.body).toBe(200);
    const u = json(r);
    expect(u.name).toEqual({ givenName: 'Another', familyName: 'User', formatted: 'Another User' });
    expect(u.title).toBe('Tester');
    expect(u.externalId).toBe('00ujl29u0le5T6Aj10h7');
    expect(u.meta.version).not.toBe(current.meta.version);
    expect(r.headers.etag).toBe(u.meta.version);
  });

  it('deactivates with a path-less replace of active: false: suspended, sessions end at once', async () => {
    const session = await signInAs(h.rt, h.app, await rowOf(id));
    const r = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r).active).toBe(false);
    expect((await rowOf(id)).status).toBe('suspended');
    expect((await gql(h.app, '{ viewer { id } }', undefined, session.accessToken)).body.data).toEqual({
      viewer: null,
    });
    // Okta's later look-up still finds them, inactive
    expect(json(await lookUp()).Resources[0].active).toBe(false);
  });

  it('reactivates with active: true', async () => {
    const r = await h.scim('PATCH', `/Users/${id}`, {
      schemas: [patchOp],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r).active).toBe(true);
    expect((await rowOf(id)).status).toBe('active');
  });

  it('deprovisions with PUT active: false too (custom app integrations update by PUT only)', async () => {
    const current = json(await h.scim('GET', `/Users/${id}`));
    const r = await h.scim('PUT', `/Users/${id}`, { ...current, active: false });
    expect(r.statusCode, r.body).toBe(200);
    expect(json(r).active).toBe(false);
    expect((await rowOf(id)).status).toBe('suspended');
    // a PUT carrying another id is refused, not applied to this one
    expectScimError(await h.scim('PUT', `/Users/${id}`, { ...current, id: 'another-id' }), 400, 'mutability');
  });

  it('imports users page by page (startIndex/count), each page ordered and never overlapping', async () => {
    const first = json(await h.scim('GET', '/Users?startIndex=1&count=2'));
    const second = json(await h.scim('GET', '/Users?startIndex=3&count=2'));
    const ids = [...first.Resources, ...second.Resources].map((u: Loose) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.totalResults).toBe(second.totalResults);
    expect(first.totalResults).toBe(3); // owner, administrator, the provisioned user
    expect(second.startIndex).toBe(3);
    expect(second.itemsPerPage).toBe(1);
  });
});

// Group push as Okta documents it ("SCIM 2.0 protocol reference", Groups): a page of groups to match, POST
// with an empty member list, members added with PATCH "add" (value list with display), removed with a
// filtered path members[value eq "…"], renamed with a path-less replace of { id, displayName }, an optional
// PUT of the whole group (older integrations), and DELETE when the push is unlinked.
describe('Okta group push', () => {
  const groupSchema = scimSchemas.group;
  let groupId = '';
  const ids: string[] = [];
  const members = () => departmentMemberIds(h, groupId);

  it('lists groups with startIndex=1&count=100, then creates the pushed group', async () => {
    const page = await h.scim('GET', '/Groups?startIndex=1&count=100');
    expect(page.statusCode).toBe(200);
    expect(json(page)).toMatchObject({ schemas: [scimSchemas.list], startIndex: 1 });
    const r = await h.scim('POST', '/Groups', {
      schemas: [groupSchema],
      displayName: 'Test SCIMv2',
      members: [],
    });
    expect(r.statusCode, r.body).toBe(201);
    groupId = json(r).id;
    expect(json(r)).toMatchObject({ displayName: 'Test SCIMv2', members: [] });
  });

  it('adds members with PATCH "add", removes one by filtered path', async () => {
    for (const n of [1, 2]) {
      const u = await h.scim('POST', '/Users', {
        schemas: [coreSchema],
        userName: `pushed.${n}@okta-dialect.test`,
        name: { givenName: 'Pushed', familyName: `${n}` },
        emails: [{ primary: true, value: `pushed.${n}@okta-dialect.test`, type: 'work' }],
        active: true,
      });
      expect(u.statusCode, u.body).toBe(201);
      ids.push(json(u).id);
    }
    const add = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [
        {
          op: 'add',
          path: 'members',
          value: ids.map((value, i) => ({ value, display: `pushed.${i + 1}@okta-dialect.test` })),
        },
      ],
    });
    expect(add.statusCode, add.body).toBe(204);
    expect(await members()).toEqual([...ids].sort());
    const remove = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'remove', path: `members[value eq "${ids[0]}"]` }],
    });
    expect(remove.statusCode, remove.body).toBe(204);
    expect(await members()).toEqual([ids[1]]);
  });

  it('renames with a path-less replace of { id, displayName }; a PUT of the whole group replaces members', async () => {
    const rename = await h.scim('PATCH', `/Groups/${groupId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'replace', value: { id: groupId, displayName: 'Test SCIMv2 renamed' } }],
    });
    expect(rename.statusCode, rename.body).toBe(204);
    const put = await h.scim('PUT', `/Groups/${groupId}`, {
      schemas: [groupSchema],
      id: groupId,
      displayName: 'Test SCIMv2 renamed',
      members: [{ value: ids[0], display: 'pushed.1@okta-dialect.test' }],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(json(put).members.map((m: Loose) => m.value)).toEqual([ids[0]]);
    expect(await members()).toEqual([ids[0]]);
  });

  it('deletes the group when the push is unlinked', async () => {
    expect((await h.scim('DELETE', `/Groups/${groupId}`)).statusCode).toBe(204);
    expect(json(await h.scim('GET', '/Groups?startIndex=1&count=100')).Resources).toEqual([]);
  });
});
