import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// addDepartmentMembers keeps each person's other departments, changes each under their own lock (so two
// additions at once both stay), and reports who could not be added; setUserDepartments with
// expectedPlacement refuses to replace a placement that changed since it was read.

let rt: TestRuntime;
let app: RosterServer;
let token: string;
let managerToken: string;
const depts: Record<string, string> = {};
let orgId: string;

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  orgId = (await createOrg(rt.services)).id;
  const admin = await createUser(rt.services, orgId, { role: 'administrator' });
  token = (await signInAs(rt, app, admin)).accessToken;
  for (const name of ['Home', 'Alpha', 'Beta', 'Managed', 'Elsewhere']) {
    const r = await gql(
      app,
      'mutation($n: String!) { createDepartment(input: { name: $n }) { department { id } userErrors { code } } }',
      { n: name },
      token,
    );
    depts[name] = r.body.data.createDepartment.department.id;
  }
  // Managers of Managed may edit its people (users:update is not in the default manager set).
  const widened = await gql(
    app,
    'mutation($d: ID!) { updateDepartment(input: { departmentId: $d, managerPermissions: [USERS_READ, USERS_UPDATE] }) { userErrors { code } } }',
    { d: depts.Managed },
    token,
  );
  expect(widened.body.data.updateDepartment.userErrors).toEqual([]);
  const manager = await createUser(rt.services, orgId, { role: 'viewer' });
  await gql(
    app,
    'mutation($d: ID!, $u: [ID!]!) { setDepartmentManagers(input: { departmentId: $d, userIds: $u }) { userErrors { code } } }',
    { d: depts.Managed, u: [manager.id] },
    token,
  );
  managerToken = (await signInAs(rt, app, manager)).accessToken;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const add = (departmentId: string, userIds: string[], t = token) =>
  gql(
    app,
    `mutation($d: ID!, $u: [ID!]!) { addDepartmentMembers(input: { departmentId: $d, userIds: $u }) {
       addedUserIds alreadyMemberUserIds failed { userId error { code field } } userErrors { code field } } }`,
    { d: departmentId, u: userIds },
    t,
  ).then((r) => r.body.data?.addDepartmentMembers ?? r.body);

async function placement(userId: string) {
  const r = await gql(
    app,
    'query($id: ID!) { user(id: $id) { departments { isPrimary department { id } } } }',
    { id: userId },
    token,
  );
  const ds = r.body.data.user.departments as { isPrimary: boolean; department: { id: string } }[];
  return {
    primary: ds.find((d) => d.isPrimary)?.department.id ?? null,
    secondary: ds
      .filter((d) => !d.isPrimary)
      .map((d) => d.department.id)
      .sort(),
  };
}

async function placeIn(userId: string, primary: string | null, secondary: string[] = []) {
  const r = await gql(
    app,
    'mutation($id: ID!, $p: ID, $s: [ID!]) { setUserDepartments(input: { userId: $id, primaryDepartmentId: $p, secondaryDepartmentIds: $s }) { userErrors { code } } }',
    { id: userId, p: primary, s: secondary },
    token,
  );
  expect(r.body.data.setUserDepartments.userErrors).toEqual([]);
}

describe('addDepartmentMembers', () => {
  it('adds as primary to someone in no department and as secondary to someone in one, keeping the rest', async () => {
    const nowhere = await createUser(rt.services, orgId, { role: 'viewer' });
    const homed = await createUser(rt.services, orgId, { role: 'viewer' });
    await placeIn(homed.id, depts.Home!, [depts.Beta!]);
    const r = await add(depts.Alpha!, [nowhere.id, homed.id]);
    expect(r).toMatchObject({ addedUserIds: [nowhere.id, homed.id], alreadyMemberUserIds: [], failed: [] });
    expect(await placement(nowhere.id)).toEqual({ primary: depts.Alpha, secondary: [] });
    expect(await placement(homed.id)).toEqual({
      primary: depts.Home,
      secondary: [depts.Alpha, depts.Beta].sort(),
    });
    const again = await add(depts.Alpha!, [homed.id]);
    expect(again).toMatchObject({ addedUserIds: [], alreadyMemberUserIds: [homed.id], failed: [] });
  });

  it('two additions at once to different departments both stay (no stale copy replaces the other)', async () => {
    const person = await createUser(rt.services, orgId, { role: 'viewer' });
    await placeIn(person.id, depts.Home!);
    const [a, b] = await Promise.all([add(depts.Alpha!, [person.id]), add(depts.Beta!, [person.id])]);
    expect(a.addedUserIds).toEqual([person.id]);
    expect(b.addedUserIds).toEqual([person.id]);
    expect(await placement(person.id)).toEqual({
      primary: depts.Home,
      secondary: [depts.Alpha, depts.Beta].sort(),
    });
  });

  it('reports who cannot be added and adds the others; an unknown department adds no one', async () => {
    const inScope = await createUser(rt.services, orgId, { role: 'viewer' });
    const outOfScope = await createUser(rt.services, orgId, { role: 'viewer' });
    await placeIn(inScope.id, depts.Managed!);
    await placeIn(outOfScope.id, depts.Elsewhere!);
    const otherOrgUser = await createUser(rt.services, (await createOrg(rt.services, 'Other')).id);
    const r = await add(depts.Managed!, [inScope.id, outOfScope.id, otherOrgUser.id], managerToken);
    expect(r.userErrors).toEqual([]);
    expect(r.alreadyMemberUserIds).toEqual([inScope.id]);
    expect(r.failed).toEqual([
      { userId: outOfScope.id, error: { code: 'FORBIDDEN', field: null } },
      { userId: otherOrgUser.id, error: { code: 'NOT_FOUND', field: null } },
    ]);
    expect(await placement(outOfScope.id)).toEqual({ primary: depts.Elsewhere, secondary: [] });

    const unknown = await add('00000000-0000-4000-8000-000000000000', [inScope.id]);
    expect(unknown.userErrors).toEqual([{ code: 'NOT_FOUND', field: 'departmentId' }]);
    expect(unknown.addedUserIds).toBeNull();
  });

  it('refuses more than 100 people in one call', async () => {
    const ids = Array.from(
      { length: 101 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const r = await add(depts.Alpha!, ids);
    expect(r.userErrors[0]).toMatchObject({ code: 'VALIDATION_FAILED', field: 'userIds' });
  });
});

describe('setUserDepartments with expectedPlacement', () => {
  it('replaces the placement read, and refuses with VERSION_CONFLICT when it changed meanwhile', async () => {
    const person = await createUser(rt.services, orgId, { role: 'viewer' });
    await placeIn(person.id, depts.Home!);
    const set = (expected: { primaryDepartmentId: string | null; secondaryDepartmentIds: string[] }) =>
      gql(
        app,
        `mutation($id: ID!, $p: ID, $s: [ID!], $e: PlacementInput) { setUserDepartments(input: {
           userId: $id, primaryDepartmentId: $p, secondaryDepartmentIds: $s, expectedPlacement: $e }) { userErrors { code } } }`,
        { id: person.id, p: depts.Home, s: [depts.Alpha], e: expected },
        token,
      ).then((r) => r.body.data.setUserDepartments.userErrors);
    // someone else adds Beta after this client read [Home]
    expect((await add(depts.Beta!, [person.id])).addedUserIds).toEqual([person.id]);
    expect(await set({ primaryDepartmentId: depts.Home!, secondaryDepartmentIds: [] })).toEqual([
      { code: 'VERSION_CONFLICT' },
    ]);
    expect(await placement(person.id)).toEqual({ primary: depts.Home, secondary: [depts.Beta] });
    expect(await set({ primaryDepartmentId: depts.Home!, secondaryDepartmentIds: [depts.Beta!] })).toEqual(
      [],
    );
    expect(await placement(person.id)).toEqual({ primary: depts.Home, secondary: [depts.Alpha] });
  });
});
