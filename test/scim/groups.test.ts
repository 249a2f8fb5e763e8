import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberBatchSize } from '../../src/domain/departments/change-department-members.js';
import { createUser } from '../support/factories.js';
import {
  departmentMemberIds,
  expectScimError,
  insertPeople,
  json,
  openScimHarness,
  patchOf,
  scimSchemas,
  type Loose,
  type ScimHarness,
} from '../support/scim-http.js';

// SCIM Groups through the real HTTP server, written from RFC 7643 §4.2 and RFC 7644 §3.3-§3.6, §3.12, §3.14:
// a Group is a live department; every write is a domain command, so the checks look at the memberships, their
// history and the audit trail, not only at the answers.

let h: ScimHarness;
beforeAll(async () => {
  h = await openScimHarness('SCIM groups org', 'user_manager', ['users', 'groups']);
});
afterAll(async () => {
  await h?.close();
});

const { group: groupSchema } = scimSchemas;
let seq = 0;
async function person(role: 'viewer' | 'owner' = 'viewer') {
  seq += 1;
  return createUser(h.rt.services, h.org.id, {
    role,
    email: `member.${seq}@scim-groups.test`,
    displayName: `Member ${seq}`,
  });
}
async function createGroup(displayName: string, members: string[] = [], externalId?: string): Promise<Loose> {
  const r = await h.scim('POST', '/Groups', {
    schemas: [groupSchema],
    displayName,
    ...(externalId ? { externalId } : {}),
    members: members.map((value) => ({ value })),
  });
  expect(r.statusCode, r.body).toBe(201);
  return json(r);
}
const memberIds = (departmentId: string) => departmentMemberIds(h, departmentId);
const openHistory = async (departmentId: string) =>
  (
    await h.rt.services.db
      .selectFrom('user_department_history')
      .select('user_id')
      .where('department_id', '=', departmentId)
      .where('valid_to', 'is', null)
      .orderBy('user_id')
      .execute()
  ).map((r) => r.user_id);

describe('POST /Groups (RFC 7644 §3.3)', () => {
  it('creates a top-level department with its members: 201, Location, ETag; audited as the token', async () => {
    const a = await person();
    const b = await person();
    const g = await createGroup('Fraud Squad', [a.id, b.id], 'okta-00g1');
    expect(g.schemas).toEqual([groupSchema]);
    expect(g.displayName).toBe('Fraud Squad');
    expect(g.externalId).toBe('okta-00g1');
    expect(g.members.map((m: Loose) => m.value).sort()).toEqual([a.id, b.id].sort());
    expect(g.members[0]).toMatchObject({ type: 'User', $ref: expect.stringMatching(/\/Users\//) });
    expect(g.meta).toMatchObject({ resourceType: 'Group', version: expect.stringMatching(/^W\/"\d+"$/) });
    const dept = await h.rt.services.db
      .selectFrom('departments')
      .selectAll()
      .where('id', '=', g.id)
      .executeTakeFirstOrThrow();
    expect(dept).toMatchObject({ name: 'Fraud Squad', parent_id: null, external_id: 'okta-00g1' });
    // Each became a primary member (they had no department), with a history interval open.
    const rows = await h.rt.services.db
      .selectFrom('user_departments')
      .select(['user_id', 'is_primary'])
      .where('department_id', '=', g.id)
      .execute();
    expect(rows.every((r) => r.is_primary)).toBe(true);
    expect(await openHistory(g.id)).toEqual([a.id, b.id].sort());
    const audit = await h.rt.services.db
      .selectFrom('audit_events')
      .select(['action', 'actor_type', 'target_id'])
      .where('org_id', '=', h.org.id)
      .where((eb) => eb.or([eb('target_id', '=', g.id), eb('target_id', 'in', [a.id, b.id])]))
      .orderBy('seq')
      .execute();
    expect(audit.map((e) => [e.action, e.actor_type])).toEqual([
      ['department.created', 'api_credential'],
      ['user.departments_changed', 'api_credential'],
      ['user.departments_changed', 'api_credential'],
    ]);
  });

  it('refuses a second live group with the same externalId (409 uniqueness) and a missing displayName', async () => {
    await createGroup('First', [], 'dup-ext');
    const r = await h.scim('POST', '/Groups', {
      schemas: [groupSchema],
      displayName: 'Second',
      externalId: 'dup-ext',
    });
    expectScimError(r, 409, 'uniqueness');
    expectScimError(await h.scim('POST', '/Groups', { schemas: [groupSchema] }), 400, 'invalidValue');
  });

  it('refuses members who are no users, leaving no department behind', async () => {
    const before = await h.rt.services.db
      .selectFrom('departments')
      .select('id')
      .where('org_id', '=', h.org.id)
      .where('archived_at', 'is', null)
      .execute();
    const r = await h.scim('POST', '/Groups', {
      schemas: [groupSchema],
      displayName: 'Ghosts',
      members: [{ value: '00000000-0000-4000-8000-000000000000' }],
    });
    expectScimError(r, 400, 'invalidValue');
    const after = await h.rt.services.db
      .selectFrom('departments')
      .select('id')
      .where('org_id', '=', h.org.id)
      .where('archived_at', 'is', null)
      .execute();
    expect(after.length).toBe(before.length);
  });
});

describe('GET /Groups (RFC 7644 §3.4)', () => {
  it('finds by displayName (case-insensitive), externalId (exact), and member; members left out on request', async () => {
    const a = await person();
    const g = await createGroup('Cyber Unit', [a.id], 'entra-cyber');
    const list = async (query: string) => {
      const r = await h.scim('GET', `/Groups?${query}`);
      expect(r.statusCode, r.body).toBe(200);
      return json(r);
    };
    const byName = await list(`filter=${encodeURIComponent('displayName eq "cyber unit"')}`);
    expect(byName.Resources.map((x: Loose) => x.id)).toEqual([g.id]);
    expect(byName.totalResults).toBe(1);
    expect(byName.Resources[0].members.map((m: Loose) => m.value)).toEqual([a.id]);
    const byExt = await list(`filter=${encodeURIComponent('externalId eq "ENTRA-CYBER"')}`);
    expect(byExt.Resources).toEqual([]);
    const byMember = await list(
      `filter=${encodeURIComponent(`id eq "${g.id}" and members[value eq "${a.id}"]`)}&excludedAttributes=members`,
    );
    expect(byMember.Resources.map((x: Loose) => x.id)).toEqual([g.id]);
    expect(byMember.Resources[0].members).toBeUndefined();
    const notMember = await list(`filter=${encodeURIComponent(`members[value eq "${h.admin.id}"]`)}`);
    expect(notMember.Resources.map((x: Loose) => x.id)).not.toContain(g.id);
    expectScimError(
      await h.scim('GET', `/Groups?filter=${encodeURIComponent('nope eq 1')}`),
      400,
      'invalidFilter',
    );
  });

  it('GET /Groups/{id}: the group with an ETag; If-None-Match answers 304; another id 404', async () => {
    const g = await createGroup('Dogs Unit');
    const r = await h.scim('GET', `/Groups/${g.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers.etag).toBe(g.meta.version);
    expect(json(r).members).toEqual([]);
    expect(
      (await h.scim('GET', `/Groups/${g.id}`, undefined, { 'if-none-match': g.meta.version })).statusCode,
    ).toBe(304);
    expectScimError(await h.scim('GET', '/Groups/00000000-0000-4000-8000-000000000000'), 404);
  });
});

describe('PATCH /Groups/{id} (RFC 7644 §3.5.2)', () => {
  it('adds, removes by filter and by value (Entra ID), renames; answers 204', async () => {
    const [a, b, c] = [await person(), await person(), await person()];
    const g = await createGroup('Patch Unit');
    const add = await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'Add', path: 'members', value: [{ value: a.id }, { value: b.id }, { value: c.id }] }),
    );
    expect(add.statusCode, add.body).toBe(204);
    expect(await memberIds(g.id)).toEqual([a.id, b.id, c.id].sort());
    const removeOne = await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'remove', path: `members[value eq "${a.id}"]` }),
    );
    expect(removeOne.statusCode, removeOne.body).toBe(204);
    const removeByValue = await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf(
        { op: 'Remove', path: 'members', value: [{ value: b.id }] },
        { op: 'Replace', path: 'displayName', value: 'Patched Unit' },
      ),
    );
    expect(removeByValue.statusCode, removeByValue.body).toBe(204);
    expect(await memberIds(g.id)).toEqual([c.id]);
    expect(await openHistory(g.id)).toEqual([c.id]);
    const after = json(await h.scim('GET', `/Groups/${g.id}`));
    expect(after.displayName).toBe('Patched Unit');
    expect(after.meta.version).not.toBe(g.meta.version);
    // Path-less replace with an object of attributes (Okta's rename).
    const okta = await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'replace', value: { id: g.id, displayName: 'Okta Unit' } }),
    );
    expect(okta.statusCode, okta.body).toBe(204);
    expect(json(await h.scim('GET', `/Groups/${g.id}`)).displayName).toBe('Okta Unit');
  });

  it('is all or nothing: an unknown member or one who outranks the token refuses the whole request', async () => {
    const a = await person();
    const owner = await person('owner');
    const g = await createGroup('Atomic Unit');
    expectScimError(
      await h.scim(
        'PATCH',
        `/Groups/${g.id}`,
        patchOf({
          op: 'add',
          path: 'members',
          value: [{ value: a.id }, { value: '00000000-0000-4000-8000-000000000001' }],
        }),
      ),
      400,
      'invalidValue',
    );
    expectScimError(
      await h.scim(
        'PATCH',
        `/Groups/${g.id}`,
        patchOf({ op: 'add', path: 'members', value: [{ value: a.id }, { value: owner.id }] }),
      ),
      403,
    );
    expect(await memberIds(g.id)).toEqual([]);
    expectScimError(
      await h.scim('PATCH', `/Groups/${g.id}`, patchOf({ op: 'replace', path: 'id', value: 'x' })),
      400,
      'mutability',
    );
    expectScimError(
      await h.scim(
        'PATCH',
        `/Groups/${g.id}`,
        patchOf({ op: 'add', path: 'members[value eq "x"]', value: [] }),
      ),
      400,
      'invalidPath',
    );
  });

  it('treats removing a deleted (deactivated) user as no change, and adding a member twice as one', async () => {
    const a = await person();
    const g = await createGroup('Idempotent Unit', [a.id]);
    expect((await h.scim('DELETE', `/Users/${a.id}`)).statusCode).toBe(204);
    const r = await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'remove', path: `members[value eq "${a.id}"]` }),
    );
    expect(r.statusCode, r.body).toBe(204);
    const b = await person();
    for (let i = 0; i < 2; i++) {
      const again = await h.scim(
        'PATCH',
        `/Groups/${g.id}`,
        patchOf({ op: 'add', path: 'members', value: [{ value: b.id }] }),
      );
      expect(again.statusCode, again.body).toBe(204);
    }
    expect((await memberIds(g.id)).filter((id) => id === b.id)).toHaveLength(1);
  });

  it('refuses a stale If-Match with 412 and writes nothing', async () => {
    const a = await person();
    const g = await createGroup('Versioned Unit');
    await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'replace', path: 'displayName', value: 'Versioned 2' }),
    );
    const r = await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'add', path: 'members', value: [{ value: a.id }] }),
      { 'if-match': g.meta.version },
    );
    expectScimError(r, 412);
    expect(await memberIds(g.id)).toEqual([]);
  });

  it(`adds and removes ${(memberBatchSize * 2.5).toLocaleString('en')} members in batches of ${memberBatchSize}, and PUT replaces them`, async () => {
    const people = await insertPeople(h, memberBatchSize * 2.5, 'batch');
    const g = await createGroup('Large Unit');
    const add = await h.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'add', path: 'members', value: people.map((value) => ({ value })) }),
    );
    expect(add.statusCode, add.body).toBe(204);
    expect(await memberIds(g.id)).toEqual(people);
    const changed = await h.rt.services.db
      .selectFrom('audit_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('org_id', '=', h.org.id)
      .where('action', '=', 'user.departments_changed')
      .where('target_id', 'in', people)
      .executeTakeFirstOrThrow();
    expect(Number(changed.n)).toBe(people.length);
    // PUT: the complete list; everyone else leaves (found by walking the members, not from the body).
    const keep = people.slice(0, 10);
    const put = await h.scim('PUT', `/Groups/${g.id}`, {
      schemas: [groupSchema],
      displayName: 'Large Unit',
      members: keep.map((value) => ({ value })),
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(json(put).members.map((m: Loose) => m.value)).toEqual(keep);
    expect(await memberIds(g.id)).toEqual(keep);
    expect(await openHistory(g.id)).toEqual(keep);
    const primaries = await h.rt.services.db
      .selectFrom('users')
      .select('id')
      .where('primary_department_id', '=', g.id)
      .execute();
    expect(primaries.map((r) => r.id).sort()).toEqual(keep);
  }, 120_000);
});

describe('DELETE /Groups/{id} (RFC 7644 §3.6)', () => {
  it('archives the department once its members are removed; then 404, and gone from lists', async () => {
    const a = await person();
    const g = await createGroup('Doomed Unit', [a.id]);
    expect((await h.scim('DELETE', `/Groups/${g.id}`)).statusCode).toBe(204);
    expectScimError(await h.scim('GET', `/Groups/${g.id}`), 404);
    const list = json(
      await h.scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Doomed Unit"')}`),
    );
    expect(list.totalResults).toBe(0);
    const dept = await h.rt.services.db
      .selectFrom('departments')
      .select('archived_at')
      .where('id', '=', g.id)
      .executeTakeFirstOrThrow();
    expect(dept.archived_at).not.toBeNull();
    expect(await memberIds(g.id)).toEqual([]);
    const audit = await h.rt.services.db
      .selectFrom('audit_events')
      .select('action')
      .where('target_id', '=', g.id)
      .orderBy('seq')
      .execute();
    expect(audit.map((e) => e.action)).toEqual(['department.created', 'department.archived']);
  });
});

describe('scopes', () => {
  it('a token without the groups scope may not read or write Groups (403)', async () => {
    const other = await openScimHarness('SCIM users-only org');
    try {
      expectScimError(await other.scim('GET', '/Groups'), 403);
      expectScimError(await other.scim('POST', '/Groups', { schemas: [groupSchema], displayName: 'X' }), 403);
    } finally {
      await other.close();
    }
  });
});

describe('group→role mapping', () => {
  it('moves roles with membership when the department maps to a role, only for a token allowed to', async () => {
    const { createScimToken } = await import('../../src/domain/api-credentials/create-scim-token.js');
    const { updateDepartment } = await import('../../src/domain/departments/update-department.js');
    const { actorFor } = await import('../support/factories.js');
    const mapper = (
      await createScimToken(h.ctx, {
        name: 'IdP with role mapping',
        scopes: ['users', 'groups', 'role_mapping'],
        maxRole: 'user_manager',
      })
    ).secret;
    const asMapper = (method: 'PATCH', url: string, body: unknown) =>
      h.scim(method, url, body, { authorization: `Bearer ${mapper}` });
    const g = await createGroup('User Admins');
    // A privileged role is never granted by a group; an ordinary one is, by whoever may grant it.
    await expect(
      updateDepartment(h.ctx, { departmentId: g.id, scimRole: 'administrator' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await updateDepartment(h.ctx, { departmentId: g.id, scimRole: 'user_manager' });
    expect(json(await h.scim('GET', `/Groups/${g.id}`)).displayName).toBe('User Admins');

    const a = await person();
    const analyst = await createUser(h.rt.services, h.org.id, {
      role: 'analyst',
      email: `analyst.${seq}@scim-groups.test`,
    });
    const add = patchOf({ op: 'add', path: 'members', value: [{ value: a.id }, { value: analyst.id }] });
    // Without the role_mapping scope the change is refused whole.
    expectScimError(await h.scim('PATCH', `/Groups/${g.id}`, add), 403);
    expect(await memberIds(g.id)).toEqual([]);

    const r = await asMapper('PATCH', `/Groups/${g.id}`, add);
    expect(r.statusCode, r.body).toBe(204);
    const roleOf = (id: string) =>
      h.rt.services.db
        .selectFrom('users')
        .select(['role', 'role_source'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    expect(await roleOf(a.id)).toEqual({ role: 'user_manager', role_source: 'group_mapping' });
    // A role a person chose is replaced only by one holding all of it: the analyst keeps theirs.
    expect(await roleOf(analyst.id)).toEqual({ role: 'analyst', role_source: 'manual' });
    const changed = await h.rt.services.db
      .selectFrom('audit_events')
      .select(['actor_type', 'changes'])
      .where('target_id', '=', a.id)
      .where('action', '=', 'user.role_changed')
      .execute();
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      actor_type: 'api_credential',
      changes: { role: { from: 'viewer', to: 'user_manager' } },
    });

    // Leaving the group takes the mapped role back, and the sessions it signed in with end (a downgrade).
    const session = (await actorFor(h.rt.services, { ...a, role: 'user_manager' })) as { sessionId?: string };
    const out = await asMapper(
      'PATCH',
      `/Groups/${g.id}`,
      patchOf({ op: 'remove', path: `members[value eq "${a.id}"]` }),
    );
    expect(out.statusCode, out.body).toBe(204);
    expect(await roleOf(a.id)).toEqual({ role: 'viewer', role_source: 'manual' });
    const live = await h.rt.services.db
      .selectFrom('sessions')
      .select('id')
      .where('user_id', '=', a.id)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live, `session ${session.sessionId ?? ''} ended`).toEqual([]);
  });
});
