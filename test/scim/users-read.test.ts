import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { coreGroupSchema, coreUserSchema, enterpriseUserSchema } from '../../src/api/scim/filter/index.js';
import type { UserRow } from '../../src/db/schema.js';
import { createScimToken } from '../../src/domain/api-credentials/create-scim-token.js';
import { revokeScimToken } from '../../src/domain/api-credentials/revoke-scim-token.js';
import { suspendUser } from '../../src/domain/users/suspend-user.js';
import { actorFor, authenticatedNow, contextFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// SCIM reads through the real HTTP server (RFC 7644 §3.4, §3.12, §3.14, §4): discovery, list with filter,
// sort, paging and projection, POST /.search, get by id with ETags, and the error bodies.

let rt: TestRuntime;
let app: RosterServer;
let token: string;
let ctx: ReturnType<typeof contextFor>;
let people: UserRow[];
let otherOrgUser: UserRow;
const listSchema = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const errorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false, consoleRoot: false });
  const org = await createOrg(rt.services, 'SCIM read org');
  await createUser(rt.services, org.id, { role: 'owner', email: 'owner@scim-read.test' });
  const admin = await createUser(rt.services, org.id, {
    role: 'administrator',
    email: 'admin@scim-read.test',
  });
  const actor = await actorFor(rt.services, admin);
  await authenticatedNow(rt.services, actor);
  ctx = contextFor(rt.services, actor);
  token = (await createScimToken(ctx, { name: 'IdP', scopes: ['users'], maxRole: 'user_manager' })).secret;
  people = [];
  for (let i = 0; i < 12; i++) {
    const u = await createUser(rt.services, org.id, {
      email: `Person.${String(i).padStart(2, '0')}@Scim-Read.test`,
      displayName: `Person ${i}`,
    });
    people.push(
      await rt.services.db
        .updateTable('users')
        .set({
          external_id: `EXT-${i}`,
          given_name: `Given${i}`,
          family_name: `Family${i}`,
          employee_number: i % 2 === 0 ? `E${i}` : null,
          job_title: i < 3 ? 'Analyst' : null,
        })
        .where('id', '=', u.id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }
  const other = await createOrg(rt.services, 'Another org');
  otherOrgUser = await createUser(rt.services, other.id, { email: 'person.00@scim-read.test' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const auth = () => ({ authorization: `Bearer ${token}` });
const get = (url: string, headers: Record<string, string> = auth()) =>
  app.inject({ method: 'GET', url: `/scim/v2${url}`, headers });
// SCIM bodies are read loosely here: each assertion states the shape it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
const json = (r: LightMyRequestResponse) => r.json() as Record<string, Loose>;
const q = (filter: string) => `/Users?filter=${encodeURIComponent(filter)}`;

function expectScimError(r: LightMyRequestResponse, status: number, scimType?: string) {
  expect(r.statusCode).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = json(r);
  expect(body.schemas).toEqual([errorSchema]);
  expect(body.status).toBe(String(status));
  if (scimType) expect(body.scimType).toBe(scimType);
  expect(typeof body.detail).toBe('string');
}

describe('SCIM authentication', () => {
  it('refuses a request without a token, with a made-up one, and with a revoked one: 401 and a SCIM body', async () => {
    const none = await get('/Users', {});
    expectScimError(none, 401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expectScimError(await get('/Users', { authorization: 'Bearer rst_scim_nope_nope' }), 401);
    const spare = await createScimToken(ctx, { name: 'spare', scopes: ['users'], maxRole: 'viewer' });
    expect(
      (await get('/ServiceProviderConfig', { authorization: `Bearer ${spare.secret}` })).statusCode,
    ).toBe(200);
    await revokeScimToken(ctx, { id: spare.token.id });
    expectScimError(await get('/ServiceProviderConfig', { authorization: `Bearer ${spare.secret}` }), 401);
  });
});

describe('SCIM discovery', () => {
  it('describes what is supported: filter, sort, ETags, PATCH and bulk, with its limits', async () => {
    const r = await get('/ServiceProviderConfig');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    const c = json(r);
    expect(c.filter).toEqual({ supported: true, maxResults: 200 });
    expect(c.sort.supported).toBe(true);
    expect(c.etag.supported).toBe(true);
    expect(c.patch.supported).toBe(true);
    expect(c.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 });
    expect(c.authenticationSchemes[0].type).toBe('oauthbearertoken');
  });

  it('lists the User and Group resource types and the User, EnterpriseUser and Group schemas, each also by id', async () => {
    const types = json(await get('/ResourceTypes'));
    expect(types.schemas).toEqual([listSchema]);
    expect(types.Resources.map((t: Loose) => t.id)).toEqual(['User', 'Group']);
    expect(types.Resources[0].schemaExtensions).toEqual([{ schema: enterpriseUserSchema, required: false }]);
    expect(json(await get('/ResourceTypes/User')).endpoint).toBe('/Users');
    expect(json(await get('/ResourceTypes/Group')).endpoint).toBe('/Groups');
    const schemas = json(await get('/Schemas'));
    expect(schemas.Resources.map((s: Loose) => s.id)).toEqual([
      coreUserSchema,
      enterpriseUserSchema,
      coreGroupSchema,
    ]);
    const group = json(await get(`/Schemas/${coreGroupSchema}`));
    expect(group.attributes.map((a: Loose) => a.name)).toEqual(['displayName', 'members']);
    const user = json(await get(`/Schemas/${coreUserSchema}`));
    const userName = user.attributes.find((a: Loose) => a.name === 'userName');
    expect(userName).toMatchObject({
      type: 'string',
      required: true,
      caseExact: false,
      uniqueness: 'server',
    });
    expectScimError(await get('/Schemas/urn:nothing'), 404);
    expectScimError(await get('/NoSuchThing'), 404);
  });
});

describe('SCIM list and filter', () => {
  it('finds a person by userName case-insensitively, only in the token’s organisation', async () => {
    const r = await get(q('userName eq "PERSON.00@scim-read.TEST"'));
    expect(r.statusCode).toBe(200);
    const list = json(r);
    expect(list).toMatchObject({ schemas: [listSchema], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    const u = list.Resources[0];
    expect(u.id).toBe(people[0]!.id);
    expect(u.id).not.toBe(otherOrgUser.id);
    expect(u).toMatchObject({
      schemas: [coreUserSchema, enterpriseUserSchema],
      externalId: 'EXT-0',
      userName: 'Person.00@Scim-Read.test',
      name: { givenName: 'Given0', familyName: 'Family0', formatted: 'Person 0' },
      displayName: 'Person 0',
      title: 'Analyst',
      active: true,
      emails: [{ value: 'Person.00@Scim-Read.test', type: 'work', primary: true }],
      roles: [{ value: 'viewer', primary: true }],
      [enterpriseUserSchema]: { employeeNumber: 'E0' },
      meta: {
        resourceType: 'User',
        location: `${rt.services.config.publicUrl}/scim/v2/Users/${people[0]!.id}`,
      },
    });
    expect(u.meta.version).toBe(`W/"${people[0]!.version}"`);
    // no enterprise attribute: no extension, and no empty object
    const odd = json(await get(q(`id eq "${people[7]!.id}"`))).Resources[0];
    expect(odd.schemas).toEqual([coreUserSchema]);
    expect(odd[enterpriseUserSchema]).toBeUndefined();
    expect(odd.title).toBeUndefined();
  });

  it('compares externalId exactly (caseExact) and combines terms', async () => {
    expect(json(await get(q('externalId eq "EXT-3"'))).totalResults).toBe(1);
    expect(json(await get(q('externalId eq "ext-3"'))).totalResults).toBe(0);
    const r = json(await get(q('title eq "analyst" and not (externalId eq "EXT-1")')));
    expect(r.Resources.map((u: Loose) => u.externalId).sort()).toEqual(['EXT-0', 'EXT-2']);
    const ent = json(await get(q(`${enterpriseUserSchema}:employeeNumber pr`)));
    expect(ent.totalResults).toBe(6);
  });

  it('pages with startIndex and count in sortBy order: disjoint pages covering every match', async () => {
    const filter = 'userName sw "person."';
    const seen: string[] = [];
    for (let start = 1; start <= 12; start += 5) {
      const page = json(await get(`${q(filter)}&sortBy=userName&startIndex=${start}&count=5`));
      expect(page.totalResults).toBe(12);
      expect(page.startIndex).toBe(start);
      expect(page.itemsPerPage).toBe(page.Resources.length);
      seen.push(...page.Resources.map((u: Loose) => u.userName));
    }
    expect(seen).toEqual(people.map((p) => p.email));
    const desc = json(await get(`${q(filter)}&sortBy=userName&sortOrder=descending&count=2`));
    expect(desc.Resources.map((u: Loose) => u.userName)).toEqual([people[11]!.email, people[10]!.email]);
    const countOnly = json(await get(`${q(filter)}&count=0`));
    expect(countOnly).toMatchObject({ totalResults: 12, itemsPerPage: 0, Resources: [] });
    // past the end: no one, and still the total (a page short of `count` tells it without counting)
    expect(json(await get(`${q(filter)}&startIndex=40&count=5`))).toMatchObject({
      totalResults: 12,
      Resources: [],
    });
    expect(json(await get(`${q('externalId eq "EXT-2"')}&startIndex=2`))).toMatchObject({ totalResults: 1 });
    // RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1
    expect(json(await get(`${q(filter)}&startIndex=0&count=1`)).startIndex).toBe(1);
  });

  it('returns only what `attributes` asks for (and id, schemas), or all but `excludedAttributes`', async () => {
    const only = json(await get(`${q('externalId eq "EXT-0"')}&attributes=userName,name.givenName`))
      .Resources[0];
    expect(Object.keys(only).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
    expect(only.name).toEqual({ givenName: 'Given0' });
    const ext = json(
      await get(`${q('externalId eq "EXT-0"')}&attributes=${enterpriseUserSchema}:employeeNumber`),
    ).Resources[0];
    expect(ext[enterpriseUserSchema]).toEqual({ employeeNumber: 'E0' });
    const without = json(
      await get(`${q('externalId eq "EXT-0"')}&excludedAttributes=emails,name.familyName,meta`),
    ).Resources[0];
    expect(without.emails).toBeUndefined();
    expect(without.meta).toBeUndefined();
    expect(without.name).toEqual({ givenName: 'Given0', formatted: 'Person 0' });
    expect(without.id).toBe(people[0]!.id);
  });

  it('shows a suspended person as active false, and the filter finds them', async () => {
    await suspendUser(ctx, { userId: people[5]!.id, reason: 'Investigation' });
    const r = json(await get(q('active eq false and userName sw "person."')));
    expect(r.Resources.map((u: Loose) => u.id)).toEqual([people[5]!.id]);
    expect(r.Resources[0].active).toBe(false);
  });

  it('answers bad queries with 400 and the right scimType, never 500', async () => {
    expectScimError(await get(q('userName eq')), 400, 'invalidFilter');
    expectScimError(await get(q('nickName eq "x"')), 400, 'invalidFilter');
    expectScimError(await get(q('active gt true')), 400, 'invalidFilter');
    expectScimError(await get(`/Users?sortBy=groups`), 400, 'invalidFilter');
    expectScimError(await get(`/Users?sortOrder=sideways`), 400, 'invalidValue');
    expectScimError(await get(`/Users?count=many`), 400, 'invalidValue');
    expectScimError(await get(`/Users?attributes=${encodeURIComponent('a b')}`), 400, 'invalidValue');
    expectScimError(await get(q('x'.repeat(9000))), 400, 'invalidFilter');
  });
});

describe('SCIM search and get', () => {
  it('POST /Users/.search takes the query in a SearchRequest body', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/scim/v2/Users/.search',
      headers: { ...auth(), 'content-type': 'application/scim+json' },
      payload: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'externalId eq "EXT-4"',
        attributes: ['userName'],
      }),
    });
    expect(r.statusCode).toBe(200);
    expect(json(r).Resources).toEqual([
      { schemas: [coreUserSchema], id: people[4]!.id, userName: people[4]!.email },
    ]);
    const noSchema = await app.inject({
      method: 'POST',
      url: '/scim/v2/Users/.search',
      headers: { ...auth(), 'content-type': 'application/scim+json' },
      payload: JSON.stringify({ filter: 'externalId eq "EXT-4"' }),
    });
    expectScimError(noSchema, 400, 'invalidSyntax');
    const broken = await app.inject({
      method: 'POST',
      url: '/scim/v2/Users/.search',
      headers: { ...auth(), 'content-type': 'application/scim+json' },
      payload: '{"schemas": [',
    });
    expectScimError(broken, 400, 'invalidSyntax');
  });

  it('gets a person by id with an ETag; If-None-Match answers 304 until the person changes', async () => {
    const p = people[6]!;
    const r = await get(`/Users/${p.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers.etag).toBe(`W/"${p.version}"`);
    expect(json(r).meta.version).toBe(r.headers.etag);
    const same = await get(`/Users/${p.id}`, { ...auth(), 'if-none-match': r.headers.etag as string });
    expect(same.statusCode).toBe(304);
    await suspendUser(ctx, { userId: p.id, reason: 'Leave' });
    const changed = await get(`/Users/${p.id}`, { ...auth(), 'if-none-match': r.headers.etag as string });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(r.headers.etag);
    expect(json(changed).active).toBe(false);
  });

  it('does not find another organisation’s person, nor an id that is not one', async () => {
    expectScimError(await get(`/Users/${otherOrgUser.id}`), 404);
    expectScimError(await get('/Users/not-a-uuid'), 404);
  });

  it('refuses an empty /Bulk request (400 invalidSyntax); bulk itself is tested in test/scim/bulk.test.ts', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/scim/v2/Bulk',
      headers: { ...auth(), 'content-type': 'application/scim+json' },
      payload: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [],
      }),
    });
    expectScimError(r, 400, 'invalidSyntax');
  });
});
