import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateOrganizationSettings } from '../../src/domain/organizations/update-organization-settings.js';
import { gql, signInAs } from '../support/auth.js';
import { createUser } from '../support/factories.js';
import {
  expectScimError,
  json,
  openScimHarness,
  patchOf,
  scimSchemas,
  type Loose,
  type ScimHarness,
} from '../support/scim-http.js';

// SCIM User writes through the real HTTP server, written from RFC 7644: §3.3 (create), §3.5.1 (PUT),
// §3.5.2 (PATCH), §3.6 (DELETE), §3.12 (errors), §3.14 (ETags / If-Match). Every write is a domain command:
// the checks below look at the audit trail, the sessions and the rows, not only at the answers.

let h: ScimHarness;
beforeAll(async () => {
  h = await openScimHarness('SCIM write org');
});
afterAll(async () => {
  await h?.close();
});

const { user: coreSchema, enterprise } = scimSchemas;
let seq = 0;
const newUser = (extra: Record<string, unknown> = {}) => {
  seq += 1;
  return {
    schemas: [coreSchema, enterprise],
    userName: `person.${seq}@scim-write.test`,
    externalId: `ext-${seq}`,
    name: { givenName: `Given${seq}`, familyName: `Family${seq}` },
    emails: [{ value: `person.${seq}@scim-write.test`, type: 'work', primary: true }],
    active: true,
    ...extra,
  };
};
async function create(extra: Record<string, unknown> = {}): Promise<Loose> {
  const r = await h.scim('POST', '/Users', newUser(extra));
  expect(r.statusCode, r.body).toBe(201);
  return json(r);
}
const rowOf = (id: string) =>
  h.rt.services.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = (id: string) =>
  h.rt.services.db
    .selectFrom('audit_events')
    .select(['action', 'actor_type', 'changes'])
    .where('target_id', '=', id)
    .orderBy('seq')
    .execute();

describe('POST /Users (RFC 7644 §3.3)', () => {
  it('creates an active user without an invitation: 201, Location, ETag, the resource; audited as the token', async () => {
    const r = await h.scim(
      'POST',
      '/Users',
      newUser({
        displayName: 'Ada Lovelace',
        title: 'Engineer',
        [enterprise]: { employeeNumber: '701', costCenter: 'CC-9', department: 'R&D', division: 'Labs' },
      }),
    );
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers['content-type']).toMatch(/^application\/scim\+json/);
    const u = json(r);
    expect(r.headers.location).toBe(`https://roster.test/scim/v2/Users/${u.id}`);
    expect(u.meta.location).toBe(r.headers.location);
    expect(r.headers.etag).toBe(u.meta.version);
    expect(u).toMatchObject({
      userName: expect.stringMatching(/@scim-write\.test$/),
      displayName: 'Ada Lovelace',
      title: 'Engineer',
      active: true,
      roles: [{ value: 'viewer', primary: true }],
      [enterprise]: { employeeNumber: '701', costCenter: 'CC-9', department: 'R&D', division: 'Labs' },
    });
    const row = await rowOf(u.id);
    expect(row.status).toBe('active');
    expect(row.password_hash).toBeNull();
    // no invitation; a set-password link (the reset link) is on its way instead
    const invitations = await h.rt.services.db
      .selectFrom('invitations')
      .select('id')
      .where('user_id', '=', u.id)
      .execute();
    expect(invitations).toEqual([]);
    const resets = await h.rt.services.db
      .selectFrom('password_resets')
      .select(['id', 'ended_at'])
      .where('user_id', '=', u.id)
      .execute();
    expect(resets).toHaveLength(1);
    // the email is a welcome with the set-password link, not "someone asked to reset your password"
    const mail = await h.rt.services.db
      .selectFrom('outbox_messages')
      .select(['kind', 'subject', 'text_body', 'recipient_email'])
      .where('recipient_user_id', '=', u.id)
      .executeTakeFirstOrThrow();
    expect(mail).toMatchObject({
      kind: 'password_reset',
      subject: 'Your account in SCIM write org is ready',
      recipient_email: u.userName,
    });
    expect(mail.text_body).toContain('Choose a password to sign in');
    const audit = await auditOf(u.id);
    expect(audit.map((a) => a.action)).toEqual(['user.provisioned', 'user.password_reset_sent']);
    expect(audit.every((a) => a.actor_type === 'api_credential')).toBe(true);
    // GET answers the same resource
    const again = await h.scim('GET', `/Users/${u.id}`);
    expect(json(again)).toEqual(u);
  });

  it('refuses a userName taken in the organisation (any case) and a taken externalId: 409 uniqueness, nothing written', async () => {
    const first = await create();
    const count = async () =>
      Number(
        (
          await h.rt.services.db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('org_id', '=', h.org.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const sameName = await h.scim(
      'POST',
      '/Users',
      newUser({ userName: first.userName.toUpperCase(), emails: [] }),
    );
    expectScimError(sameName, 409, 'uniqueness');
    const sameExternal = await h.scim('POST', '/Users', newUser({ externalId: first.externalId }));
    expectScimError(sameExternal, 409, 'uniqueness');
    expect(await count()).toBe(before);
  });

  it('two concurrent creates with one externalId: one 201, the other 409 uniqueness, never a 500', async () => {
    for (let round = 0; round < 3; round++) {
      const externalId = `race-${round}`;
      const rs = await Promise.all([0, 1, 2].map(() => h.scim('POST', '/Users', newUser({ externalId }))));
      expect(rs.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
      for (const r of rs.filter((x) => x.statusCode === 409)) expect(json(r).scimType).toBe('uniqueness');
    }
  });

  it('refuses a body without userName, a wrong schemas list, a bad email and bad JSON: 400, never 500', async () => {
    expectScimError(await h.scim('POST', '/Users', newUser({ userName: undefined })), 400, 'invalidValue');
    expectScimError(await h.scim('POST', '/Users', { userName: 'x@scim-write.test' }), 400, 'invalidSyntax');
    expectScimError(
      await h.scim('POST', '/Users', newUser({ userName: 'not an email', emails: [] })),
      400,
      'invalidValue',
    );
    expectScimError(await h.scim('POST', '/Users', newUser({ active: 'maybe' })), 400, 'invalidValue');
    const bad = await h.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/scim+json' },
      payload: '{"schemas": [',
    });
    expectScimError(bad, 400, 'invalidSyntax');
  });

  it('ignores read-only attributes a client sends (id, meta, groups, roles): the role stays the default', async () => {
    const u = await create({
      id: '00000000-0000-4000-8000-000000000000',
      roles: [{ value: 'owner' }],
      groups: [{ value: 'x' }],
      meta: { resourceType: 'User' },
    });
    expect(u.id).not.toBe('00000000-0000-4000-8000-000000000000');
    expect(u.roles).toEqual([{ value: 'viewer', primary: true }]);
    expect(u.groups).toBeUndefined();
  });

  it('refuses an emails value other than the userName (Roster keeps one address): 400 mutability', async () => {
    const r = await h.scim(
      'POST',
      '/Users',
      newUser({ emails: [{ value: 'other@scim-write.test', type: 'work' }] }),
    );
    expectScimError(r, 400, 'mutability');
  });

  it('creates an invited user when the organisation asks for invitations (scimCreatesInvitations)', async () => {
    await updateOrganizationSettings(h.ctx, { scimCreatesInvitations: true });
    try {
      const u = await create();
      expect(u.active).toBe(true); // an invited person is administratively enabled
      const row = await rowOf(u.id);
      expect(row.status).toBe('invited');
      const inv = await h.rt.services.db
        .selectFrom('invitations')
        .select('status')
        .where('user_id', '=', u.id)
        .execute();
      expect(inv).toEqual([{ status: 'pending' }]);
      expect((await auditOf(u.id)).map((a) => a.action)).toEqual(['user.invited']);
    } finally {
      await updateOrganizationSettings(h.ctx, { scimCreatesInvitations: false });
    }
  });

  it('creates a user that is not active (active: false): suspended, no link sent', async () => {
    const u = await create({ active: false });
    expect(u.active).toBe(false);
    expect((await rowOf(u.id)).status).toBe('suspended');
    expect((await auditOf(u.id)).map((a) => a.action)).toEqual(['user.provisioned', 'user.suspended']);
  });
});

describe('PATCH /Users/{id} (RFC 7644 §3.5.2)', () => {
  it('replaces, adds and removes with a path, and answers 200 with the resource and the new ETag', async () => {
    const u = await create({ title: 'Clerk' });
    const r = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf(
        { op: 'replace', path: 'name.givenName', value: 'Grace' },
        { op: 'add', path: 'title', value: 'Admiral' },
        { op: 'add', path: `${enterprise}:employeeNumber`, value: 'E-1' },
        { op: 'remove', path: 'externalId' },
      ),
    );
    expect(r.statusCode, r.body).toBe(200);
    const p = json(r);
    expect(p.name.givenName).toBe('Grace');
    expect(p.title).toBe('Admiral');
    expect(p[enterprise].employeeNumber).toBe('E-1');
    expect(p.externalId).toBeUndefined();
    expect(r.headers.etag).toBe(p.meta.version);
    expect(p.meta.version).not.toBe(u.meta.version);
    const audit = await auditOf(u.id);
    expect(audit.at(-1)!.action).toBe('user.updated');
    expect(audit.at(-1)!.changes).toMatchObject({
      givenName: { to: 'Grace' },
      jobTitle: { from: 'Clerk', to: 'Admiral' },
      externalId: { to: null },
    });
  });

  it('replaces without a path (an object of attributes, the enterprise URN as a key) and merges complex values', async () => {
    const u = await create();
    const r = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({
        op: 'replace',
        value: {
          displayName: 'New Name',
          name: { familyName: 'Hopper' },
          [enterprise]: { division: 'Navy' },
        },
      }),
    );
    expect(r.statusCode, r.body).toBe(200);
    const p = json(r);
    expect(p.displayName).toBe('New Name');
    expect(p.name).toEqual({ givenName: u.name.givenName, familyName: 'Hopper', formatted: 'New Name' });
    expect(p[enterprise].division).toBe('Navy');
    // the extension's URN as the path: the value holds its attributes
    const byUrn = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'add', path: enterprise, value: { costCenter: 'CC-1', organization: 'Fleet' } }),
    );
    expect(byUrn.statusCode, byUrn.body).toBe(200);
    expect(json(byUrn)[enterprise]).toMatchObject({
      division: 'Navy',
      costCenter: 'CC-1',
      organization: 'Fleet',
    });
  });

  it('filters values in a path: emails[type eq "work"].value; no match on replace is 400 noTarget', async () => {
    const u = await create();
    const same = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'replace', path: 'emails[type eq "work"].value', value: u.userName }),
    );
    expect(same.statusCode, same.body).toBe(200);
    expect(json(same).meta.version).toBe(u.meta.version); // nothing changed, nothing written
    expectScimError(
      await h.scim(
        'PATCH',
        `/Users/${u.id}`,
        patchOf({ op: 'replace', path: 'emails[type eq "home"].value', value: u.userName }),
      ),
      400,
      'noTarget',
    );
    expectScimError(
      await h.scim(
        'PATCH',
        `/Users/${u.id}`,
        patchOf({ op: 'replace', path: 'emails[type eq "work"].value', value: 'moved@elsewhere.test' }),
      ),
      400,
      'mutability',
    );
  });

  it('sets and clears the manager (a user of the organisation), refusing one that does not exist', async () => {
    const boss = await create();
    const u = await create();
    const set = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'replace', path: `${enterprise}:manager`, value: { value: boss.id } }),
    );
    expect(set.statusCode, set.body).toBe(200);
    expect(json(set)[enterprise].manager.value).toBe(boss.id);
    expectScimError(
      await h.scim(
        'PATCH',
        `/Users/${u.id}`,
        patchOf({
          op: 'replace',
          path: `${enterprise}:manager.value`,
          value: '00000000-0000-4000-8000-000000000001',
        }),
      ),
      400,
      'invalidValue',
    );
    const cleared = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'remove', path: `${enterprise}:manager` }),
    );
    expect(json(cleared)[enterprise]?.manager).toBeUndefined();
  });

  it('refuses read-only attributes (id, groups, roles, meta): 400 mutability; unknown ones: 400 invalidPath', async () => {
    const u = await create();
    for (const path of ['id', 'groups', 'roles', 'meta', 'meta.created', 'roles[primary eq true].value']) {
      expectScimError(
        await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path, value: 'x' })),
        400,
        'mutability',
      );
    }
    expectScimError(
      await h.scim(
        'PATCH',
        `/Users/${u.id}`,
        patchOf({ op: 'replace', value: { roles: [{ value: 'owner' }] } }),
      ),
      400,
      'mutability',
    );
    for (const path of [
      'nickName',
      'name.middleName',
      `urn:example:params:scim:schemas:x:title`,
      'title[value eq "x"]',
    ]) {
      expectScimError(
        await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path, value: 'x' })),
        400,
        'invalidPath',
      );
    }
    expectScimError(
      await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'emails[type eq', value: 'x' })),
      400,
      'invalidPath',
    );
    expectScimError(await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'remove' })), 400, 'noTarget');
    expectScimError(
      await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'remove', path: 'userName' })),
      400,
      'invalidValue',
    );
    expectScimError(
      await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'move', path: 'title', value: 'x' })),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await h.scim('PATCH', `/Users/${u.id}`, { Operations: [{ op: 'add', path: 'title', value: 'x' }] }),
      400,
      'invalidSyntax',
    );
    expectScimError(await h.scim('PATCH', `/Users/${u.id}`, patchOf()), 400, 'invalidSyntax');
    // userName may change (a new sign-in address), but not to something that is no address
    expectScimError(
      await h.scim(
        'PATCH',
        `/Users/${u.id}`,
        patchOf({ op: 'replace', path: 'userName', value: 'not an address' }),
      ),
      400,
      'invalidValue',
    );
    expect((await rowOf(u.id)).version).toBe(Number(/\d+/.exec(u.meta.version)![0]));
  });

  it('is atomic: one refused operation writes nothing of the ones before it', async () => {
    const u = await create({ title: 'Before' });
    const r = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf(
        { op: 'replace', path: 'title', value: 'After' },
        { op: 'replace', path: 'active', value: false },
        { op: 'replace', path: 'externalId', value: (await create()).externalId }, // taken: 409 in the domain
      ),
    );
    expectScimError(r, 409, 'uniqueness');
    const row = await rowOf(u.id);
    expect(row.job_title).toBe('Before');
    expect(row.status).toBe('active');
    expect(json(await h.scim('GET', `/Users/${u.id}`)).meta.version).toBe(u.meta.version);
    expect((await auditOf(u.id)).map((a) => a.action)).toEqual([
      'user.provisioned',
      'user.password_reset_sent',
    ]);
  });

  it('If-Match: a stale ETag is 412 and writes nothing; the current one (or *) is accepted', async () => {
    const u = await create({ title: 'One' });
    const first = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'replace', path: 'title', value: 'Two' }),
      {
        'if-match': u.meta.version,
      },
    );
    expect(first.statusCode, first.body).toBe(200);
    // a second worker still holding the first ETag loses, and nothing it sent is written
    const stale = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf(
        { op: 'replace', path: 'title', value: 'Three' },
        { op: 'replace', path: 'active', value: false },
      ),
      { 'if-match': u.meta.version },
    );
    expectScimError(stale, 412);
    const row = await rowOf(u.id);
    expect(row.job_title).toBe('Two');
    expect(row.status).toBe('active');
    expectScimError(
      await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'title', value: 'x' }), {
        'if-match': '"nonsense',
      }),
      412,
    );
    const star = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'replace', path: 'title', value: 'Four' }),
      {
        'if-match': '*',
      },
    );
    expect(star.statusCode).toBe(200);
    expectScimError(
      await h.scim('DELETE', `/Users/${u.id}`, undefined, { 'if-match': first.headers.etag as string }),
      412,
    );
    expect((await rowOf(u.id)).status).toBe('active');
  });

  it('two workers patching one user with the same ETag: exactly one wins, the other gets 412 (no lost update)', async () => {
    const u = await create();
    const [a, b] = await Promise.all([
      h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'title', value: 'A' }), {
        'if-match': u.meta.version,
      }),
      h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'title', value: 'B' }), {
        'if-match': u.meta.version,
      }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 412]);
    const winner = a.statusCode === 200 ? 'A' : 'B';
    expect((await rowOf(u.id)).job_title).toBe(winner);
  });

  it('active: false suspends (the default) and ends the sessions at once; active: true reactivates', async () => {
    const u = await create();
    const signedIn = await signInAs(h.rt, h.app, await rowOf(u.id));
    expect(
      (await gql(h.app, '{ viewer { id } }', undefined, signedIn.accessToken)).body.data?.viewer?.id,
    ).toBe(u.id);
    const off = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'replace', path: 'active', value: false }),
    );
    expect(off.statusCode, off.body).toBe(200);
    expect(json(off).active).toBe(false);
    const row = await rowOf(u.id);
    expect(row.status).toBe('suspended');
    // the very next request with the same access token is refused
    const after = await gql(h.app, '{ viewer { id } }', undefined, signedIn.accessToken);
    // a refused token reads as anonymous: viewer is null (as test/api/step-up.test.ts checks)
    expect(after.body.data).toEqual({ viewer: null });
    const on = await h.scim(
      'PATCH',
      `/Users/${u.id}`,
      patchOf({ op: 'replace', path: 'active', value: true }),
    );
    expect(json(on).active).toBe(true);
    expect((await rowOf(u.id)).status).toBe('active');
    const actions = (await auditOf(u.id)).map((a) => a.action);
    expect(actions.slice(-2)).toEqual(['user.suspended', 'user.reactivated']);
  });

  it('active: false deactivates when the organisation says scimDeactivation = deactivate; the user is then gone to SCIM', async () => {
    await updateOrganizationSettings(h.ctx, { scimDeactivation: 'deactivate' });
    try {
      const u = await create();
      const off = await h.scim(
        'PATCH',
        `/Users/${u.id}`,
        patchOf({ op: 'replace', path: 'active', value: false }),
      );
      expect(off.statusCode, off.body).toBe(200);
      expect(json(off).active).toBe(false);
      expect((await rowOf(u.id)).status).toBe('deactivated');
      expectScimError(await h.scim('GET', `/Users/${u.id}`), 404);
    } finally {
      await updateOrganizationSettings(h.ctx, { scimDeactivation: 'suspend' });
    }
  });

  it('never acts on a user whose role ranks above the token’s maxRole (the target-role rule): 403', async () => {
    const admin = await h.scim('GET', `/Users/${h.admin.id}`);
    expect(admin.statusCode).toBe(200);
    expectScimError(
      await h.scim('PATCH', `/Users/${h.admin.id}`, patchOf({ op: 'replace', path: 'title', value: 'x' })),
      403,
    );
    expectScimError(await h.scim('DELETE', `/Users/${h.admin.id}`), 403);
    expect((await rowOf(h.admin.id)).status).toBe('active');
  });

  it('answers 404 for another organisation’s user and an id that is not one', async () => {
    const other = await createUser(
      h.rt.services,
      (
        await h.rt.services.db
          .insertInto('organizations')
          .values({ name: 'Other', slug: 'other-scim-w' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id,
    );
    expectScimError(
      await h.scim('PATCH', `/Users/${other.id}`, patchOf({ op: 'replace', path: 'title', value: 'x' })),
      404,
    );
    expectScimError(await h.scim('PUT', `/Users/nope`, newUser()), 404);
    expectScimError(await h.scim('DELETE', `/Users/${other.id}`), 404);
  });
});

describe('PUT /Users/{id} (RFC 7644 §3.5.1)', () => {
  it('replaces the mutable attributes: absent ones are cleared, read-only ones ignored, If-Match honoured', async () => {
    const u = await create({ title: 'Keeps?', [enterprise]: { costCenter: 'C1' } });
    const body = {
      schemas: [coreSchema],
      id: u.id,
      userName: u.userName,
      name: { givenName: 'Only', familyName: 'Names' },
      active: true,
      roles: [{ value: 'owner' }],
    };
    expectScimError(await h.scim('PUT', `/Users/${u.id}`, body, { 'if-match': 'W/"999"' }), 412);
    const r = await h.scim('PUT', `/Users/${u.id}`, body, { 'if-match': u.meta.version });
    expect(r.statusCode, r.body).toBe(200);
    const p = json(r);
    expect(p.title).toBeUndefined();
    expect(p.externalId).toBeUndefined();
    expect(p[enterprise]).toBeUndefined();
    expect(p.name).toMatchObject({ givenName: 'Only', familyName: 'Names' });
    expect(p.roles).toEqual([{ value: 'viewer', primary: true }]);
    expect(r.headers.etag).toBe(p.meta.version);
    expectScimError(await h.scim('PUT', `/Users/${u.id}`, { ...body, id: 'another' }), 400, 'mutability');
    expectScimError(
      await h.scim('PUT', `/Users/${u.id}`, { ...body, userName: undefined }),
      400,
      'invalidValue',
    );
  });
});

describe('DELETE /Users/{id} (RFC 7644 §3.6)', () => {
  it('deactivates: 204, sessions end, the audit stays, and afterwards the user is 404 and not listed', async () => {
    const u = await create();
    const signedIn = await signInAs(h.rt, h.app, await rowOf(u.id));
    const r = await h.scim('DELETE', `/Users/${u.id}`);
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    const row = await rowOf(u.id);
    expect(row.status).toBe('deactivated');
    expect((await gql(h.app, '{ viewer { id } }', undefined, signedIn.accessToken)).body.data).toEqual({
      viewer: null,
    });
    expectScimError(await h.scim('GET', `/Users/${u.id}`), 404);
    expectScimError(await h.scim('DELETE', `/Users/${u.id}`), 404);
    expectScimError(
      await h.scim('PATCH', `/Users/${u.id}`, patchOf({ op: 'replace', path: 'title', value: 'x' })),
      404,
    );
    const list = json(
      await h.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${u.userName}"`)}`),
    );
    expect(list.totalResults).toBe(0);
    expect((await auditOf(u.id)).map((a) => a.action)).toEqual([
      'user.provisioned',
      'user.password_reset_sent',
      'session.signed_in',
      'user.deactivated',
    ]);
  });
});
