import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../support/random.js';
import { json, openScimHarness, scimSchemas, type ScimHarness } from '../support/scim-http.js';

// Malformed and odd write bodies — PATCH of Users and Groups, POST of Groups, /Bulk — generated from the
// vocabulary those requests use (with wrong types, nesting and case): every answer is a SCIM answer below
// 500, the error ones a §3.12 body. A failure prints the seed and the body to replay it.

let h: ScimHarness;
let userId = '';
let groupId = '';
beforeAll(async () => {
  h = await openScimHarness('SCIM writes fuzz org', 'user_manager', ['users', 'groups']);
  const u = await h.scim('POST', '/Users', {
    schemas: [scimSchemas.user],
    userName: 'fuzz.target@scim-fuzz.test',
    emails: [{ value: 'fuzz.target@scim-fuzz.test', type: 'work', primary: true }],
  });
  userId = json(u).id;
  const g = await h.scim('POST', '/Groups', { schemas: [scimSchemas.group], displayName: 'Fuzz Unit' });
  groupId = json(g).id;
});
afterAll(async () => {
  await h?.close();
});

const keys = [
  'schemas',
  'Operations',
  'op',
  'path',
  'value',
  'members',
  'displayName',
  'externalId',
  'userName',
  'emails',
  'active',
  'name',
  'givenName',
  'method',
  'bulkId',
  'data',
  'version',
  'failOnErrors',
  'id',
  'meta',
  'type',
  '$ref',
  'display',
  'title',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
];
const strings = [
  '',
  'add',
  'Remove',
  'REPLACE',
  'members',
  'members[value eq "x"]',
  'members[value eq "00000000-0000-4000-8000-000000000000"]',
  'members[$ref eq null and value eq "y"]',
  'members[',
  'displayName',
  'emails[type eq "work"].value',
  'userName',
  'bulkId:a',
  'bulkId:',
  '/Users',
  '/Groups',
  '/Users/bulkId:a',
  '/Groups/x/y',
  'POST',
  'PATCH',
  'DELETE',
  'PUT',
  'GET',
  'a',
  'fuzz.target@scim-fuzz.test',
  'x'.repeat(300),
  'True',
  'False',
  'W/"1"',
  'W/"x"',
  '\u0000',
  '名前',
  scimSchemas.patchOp,
  scimSchemas.group,
  scimSchemas.user,
  'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
];

function value(r: Random, depth: number): unknown {
  const kind = depth > 4 ? r.int(5) : r.int(8);
  switch (kind) {
    case 0:
      return r.pick(strings);
    case 1:
      return r.int(5) - 1;
    case 2:
      return r.chance(0.5);
    case 3:
      return null;
    case 4:
      return r.pick(strings);
    case 5:
      return Array.from({ length: r.int(4) }, () => value(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(5); i > 0; i--) o[r.pick(keys)] = value(r, depth + 1);
      return o;
    }
  }
}

/** A body shaped like the request often enough to reach deep code, and broken in some part. */
function body(r: Random, kind: 'patch' | 'group' | 'bulk'): unknown {
  if (r.chance(0.1)) return value(r, 0);
  const op = () => ({
    op: r.pick(strings),
    path: r.chance(0.8) ? r.pick(strings) : value(r, 2),
    value: value(r, 2),
  });
  if (kind === 'patch')
    return { schemas: [scimSchemas.patchOp], Operations: Array.from({ length: 1 + r.int(3) }, op) };
  if (kind === 'group')
    return { schemas: [scimSchemas.group], displayName: value(r, 2), members: value(r, 1) };
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
    ...(r.chance(0.3) ? { failOnErrors: value(r, 3) } : {}),
    Operations: Array.from({ length: 1 + r.int(3) }, () => ({
      method: r.pick(strings),
      path: r.pick(strings),
      bulkId: r.chance(0.5) ? r.pick(strings) : value(r, 3),
      data: r.chance(0.5) ? body(r, r.chance(0.5) ? 'patch' : 'group') : value(r, 2),
    })),
  };
}

describe('SCIM writes never answer 5xx to bad input', () => {
  it('1,200 generated bodies across PATCH /Users, PATCH /Groups, POST /Groups and /Bulk', async () => {
    const seed = 20261204;
    const r = new Random(seed);
    const targets = [
      { method: 'PATCH' as const, url: () => `/Users/${userId}`, kind: 'patch' as const },
      { method: 'PATCH' as const, url: () => `/Groups/${groupId}`, kind: 'patch' as const },
      { method: 'POST' as const, url: () => '/Groups', kind: 'group' as const },
      { method: 'POST' as const, url: () => '/Bulk', kind: 'bulk' as const },
    ];
    const { createScimToken } = await import('../../src/domain/api-credentials/create-scim-token.js');
    const statuses = new Map<number, number>();
    let token = '';
    for (let i = 0; i < 1200; i++) {
      // A fresh token every 100 requests keeps the rate limit (500 at once) from answering instead of the code.
      if (i % 100 === 0) {
        token = (
          await createScimToken(h.ctx, {
            name: `fuzz ${i}`,
            scopes: ['users', 'groups'],
            maxRole: 'user_manager',
          })
        ).secret;
      }
      const t = targets[i % targets.length]!;
      const b = body(r, t.kind);
      const res = await h.scim(t.method, t.url(), b, { authorization: `Bearer ${token}` });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(
        res.statusCode,
        `seed ${seed} case ${i}: ${t.method} ${t.url()} ${JSON.stringify(b).slice(0, 400)} → ${res.body.slice(0, 300)}`,
      ).toBeLessThan(500);
      if (res.statusCode >= 400) expect(json(res).schemas).toEqual([scimSchemas.error]);
      if (t.kind === 'bulk' && res.statusCode === 200) {
        for (const o of json(res).Operations) expect(Number(o.status), JSON.stringify(o)).toBeLessThan(500);
      }
    }
    console.log(`writes fuzz: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The generator reaches both outcomes (some bodies accepted, most refused), and the limiter stays out of it.
    expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    expect(statuses.get(429) ?? 0).toBe(0);
  }, 300_000);
});
