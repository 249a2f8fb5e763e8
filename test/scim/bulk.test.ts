import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectScimError,
  json,
  openScimHarness,
  scimSchemas,
  type Loose,
  type ScimHarness,
} from '../support/scim-http.js';

// /Bulk as RFC 7644 §3.7 writes it: operations in order, each the same write as its own request (so the same
// domain commands and audit), bulkId references in paths and data, failOnErrors, the limits that
// ServiceProviderConfig states, per-operation errors in §3.12 bodies, and the token's rate limit per operation.

let h: ScimHarness;
beforeAll(async () => {
  h = await openScimHarness('SCIM bulk org', 'user_manager', ['users', 'groups']);
});
afterAll(async () => {
  await h?.close();
});

const bulkRequest = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const bulkResponse = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const { user: coreSchema, enterprise, group: groupSchema, patchOp } = scimSchemas;
const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) =>
  h.scim('POST', '/Bulk', { schemas: [bulkRequest], Operations, ...extra });
const userData = (name: string, extra: Record<string, unknown> = {}) => ({
  schemas: [coreSchema, enterprise],
  userName: `${name}@scim-bulk.test`,
  name: { givenName: name, familyName: 'Bulk' },
  emails: [{ value: `${name}@scim-bulk.test`, type: 'work', primary: true }],
  ...extra,
});
const row = (email: string) =>
  h.rt.services.db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', h.org.id)
    .where('email_normalized', '=', email)
    .executeTakeFirst();

describe('POST /Bulk (RFC 7644 §3.7)', () => {
  it('runs operations in order, resolving bulkId references in paths and in data', async () => {
    const r = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'boss', data: userData('boss') },
      {
        method: 'POST',
        path: '/Users',
        bulkId: 'analyst',
        data: userData('analyst', { [enterprise]: { manager: { value: 'bulkId:boss' } } }),
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'unit',
        data: {
          schemas: [groupSchema],
          displayName: 'Bulk Unit',
          members: [{ value: 'bulkId:boss' }, { value: 'bulkId:analyst' }],
        },
      },
      {
        method: 'PATCH',
        path: '/Users/bulkId:analyst',
        data: { schemas: [patchOp], Operations: [{ op: 'replace', path: 'title', value: 'Analyst' }] },
      },
    ]);
    expect(r.statusCode, r.body).toBe(200);
    const body = json(r);
    expect(body.schemas).toEqual([bulkResponse]);
    expect(body.Operations.map((o: Loose) => [o.method, o.bulkId, o.status])).toEqual([
      ['POST', 'boss', '201'],
      ['POST', 'analyst', '201'],
      ['POST', 'unit', '201'],
      ['PATCH', undefined, '200'],
    ]);
    expect(body.Operations[0].location).toMatch(/\/scim\/v2\/Users\/[0-9a-f-]{36}$/);
    expect(body.Operations[0].version).toMatch(/^W\/"\d+"$/);
    const boss = await row('boss@scim-bulk.test');
    const analyst = await row('analyst@scim-bulk.test');
    expect(analyst).toMatchObject({ manager_id: boss!.id, job_title: 'Analyst' });
    const groupId = body.Operations[2].location.split('/').pop();
    const members = await h.rt.services.db
      .selectFrom('user_departments')
      .select('user_id')
      .where('department_id', '=', groupId)
      .execute();
    expect(members.map((m) => m.user_id).sort()).toEqual([boss!.id, analyst!.id].sort());
    // Every write is the token's own, in the audit trail.
    const audit = await h.rt.services.db
      .selectFrom('audit_events')
      .select(['action', 'actor_type'])
      .where('target_id', 'in', [boss!.id, analyst!.id, groupId])
      .orderBy('seq')
      .execute();
    expect(new Set(audit.map((a) => a.actor_type))).toEqual(new Set(['api_credential']));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['user.provisioned', 'department.created', 'user.departments_changed']),
    );
  });

  it('reports each failed operation with its error and runs the others; failOnErrors stops after that many', async () => {
    const r = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'dup', data: userData('boss') },
      { method: 'POST', path: '/Users', bulkId: 'fresh', data: userData('fresh') },
      { method: 'DELETE', path: '/Users/00000000-0000-4000-8000-000000000000' },
    ]);
    expect(r.statusCode).toBe(200);
    const ops = json(r).Operations;
    expect(ops.map((o: Loose) => o.status)).toEqual(['409', '201', '404']);
    expect(ops[0].response).toMatchObject({
      schemas: [scimSchemas.error],
      status: '409',
      scimType: 'uniqueness',
    });
    expect(await row('fresh@scim-bulk.test')).toBeDefined();

    const stopped = await bulk(
      [
        { method: 'POST', path: '/Users', bulkId: 'dup2', data: userData('boss') },
        { method: 'POST', path: '/Users', bulkId: 'never', data: userData('never') },
      ],
      { failOnErrors: 1 },
    );
    expect(json(stopped).Operations.map((o: Loose) => o.status)).toEqual(['409']);
    expect(await row('never@scim-bulk.test')).toBeUndefined();
  });

  it('refuses what it cannot run: unresolved references, POST without bulkId, bad paths, stale versions', async () => {
    const fresh = await row('fresh@scim-bulk.test');
    const r = await bulk([
      { method: 'PATCH', path: '/Users/bulkId:nobody', data: { schemas: [patchOp], Operations: [] } },
      { method: 'POST', path: '/Users', data: userData('nobulkid') },
      { method: 'POST', path: '/Widgets', bulkId: 'w', data: {} },
      { method: 'GET', path: '/Users' },
      {
        method: 'PATCH',
        path: `/Users/${fresh!.id}`,
        version: 'W/"999"',
        data: { schemas: [patchOp], Operations: [{ op: 'replace', path: 'title', value: 'Never' }] },
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g',
        data: { schemas: [groupSchema], displayName: 'Later', members: [{ value: 'bulkId:later' }] },
      },
      { method: 'POST', path: '/Users', bulkId: 'later', data: userData('later') },
    ]);
    const ops = json(r).Operations;
    expect(ops.map((o: Loose) => [o.status, o.response?.scimType])).toEqual([
      ['400', 'invalidValue'],
      ['400', 'invalidValue'],
      ['400', 'invalidPath'],
      ['400', 'invalidSyntax'],
      ['412', undefined],
      // a reference to a later operation never resolves: no cycle can either
      ['400', 'invalidValue'],
      ['201', undefined],
    ]);
    expect((await row('fresh@scim-bulk.test'))!.job_title).toBeNull();
    expect(await row('nobulkid@scim-bulk.test')).toBeUndefined();
  });

  it('refuses more operations than ServiceProviderConfig states (413 tooMany), and a malformed request', async () => {
    const config = json(await h.scim('GET', '/ServiceProviderConfig'));
    const ops = Array.from({ length: config.bulk.maxOperations + 1 }, () => ({
      method: 'DELETE',
      path: '/Users/00000000-0000-4000-8000-000000000000',
    }));
    expectScimError(await bulk(ops), 413, 'tooMany');
    expectScimError(await h.scim('POST', '/Bulk', { Operations: [] }), 400, 'invalidSyntax');
    expectScimError(
      await bulk([{ method: 'DELETE', path: '/Users/x' }], { failOnErrors: 0 }),
      400,
      'invalidValue',
    );
    // Data nested deeper than any resource is refused in its operation, never a 500.
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = [deep];
    const r = await bulk([{ method: 'POST', path: '/Users', bulkId: 'deep', data: { userName: deep } }]);
    expect(json(r).Operations[0]).toMatchObject({ status: '400' });
  });
});

describe('the rate limit', () => {
  it('counts every operation: a bulk larger than the bucket stops at its first 429', async () => {
    const ops = Array.from({ length: 1000 }, () => ({
      method: 'DELETE',
      path: '/Users/00000000-0000-4000-8000-000000000000',
    }));
    const r = await bulk(ops);
    expect(r.statusCode).toBe(200);
    const statuses = json(r).Operations.map((o: Loose) => o.status);
    expect(statuses.at(-1)).toBe('429');
    expect(statuses.length).toBeLessThan(1000);
    expect(statuses.slice(0, -1).every((s: string) => s === '404')).toBe(true);
    expect(json(r).Operations.at(-1).response.status).toBe('429');
  }, 60_000);
});
