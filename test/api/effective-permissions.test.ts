import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

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

const effectiveQuery = `query($id: ID!) { effectivePermissions(userId: $id) {
  permission { name } scope { kind departments { name } }
  sources { kind role { key } department { name } through { name } membership } } }`;

const previewQuery = `query($id: ID!, $role: RoleKey!) { roleChangePreview(userId: $id, role: $role) {
  user { id } from { key } to { key } viewerMayChange
  gained { permission { name } sources { kind role { key } department { name } } }
  lost { permission { name } sources { kind role { key } department { name } } }
  kept { permission { name } scope { kind } sources { kind role { key } department { name } through { name } } } } }`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const named = (list: any[]) => list.map((e) => e.permission.name);

/**
 * Fraud Unit (adds investigations:export) > Team, and Registry beside it. A Viewer in Team; an Analyst who
 * manages Team; a Viewer placed in the Fraud Unit itself (outside Team's subtree).
 */
async function fraudScenario() {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const adminToken = (await signInAs(rt, app, admin)).accessToken;
  const mutate = async (document: string, variables: Record<string, unknown>) => {
    const r = await gql(app, document, variables, adminToken);
    expect(r.body.errors).toBeUndefined();
    const payload = Object.values(r.body.data)[0] as { userErrors: unknown[] };
    expect(payload.userErrors).toEqual([]);
    return payload as never as { department?: { id: string } };
  };
  const create = async (i: Record<string, unknown>) =>
    (
      await mutate(
        'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { department { id } userErrors { code } } }',
        { i },
      )
    ).department!.id;
  const fraud = await create({ name: 'Fraud Unit', addedPermissions: ['INVESTIGATIONS_EXPORT'] });
  const team = await create({ name: 'Team', parentId: fraud });
  const place = (userId: string, primary: string) =>
    mutate(
      'mutation($u: ID!, $p: ID) { setUserDepartments(input: { userId: $u, primaryDepartmentId: $p }) { userErrors { code } } }',
      { u: userId, p: primary },
    );
  const member = await createUser(s, org.id, { role: 'viewer' });
  const lead = await createUser(s, org.id, { role: 'analyst' });
  const outsider = await createUser(s, org.id, { role: 'viewer' });
  await place(member.id, team);
  await place(lead.id, team);
  await place(outsider.id, fraud);
  await mutate(
    'mutation($d: ID!, $u: [ID!]!) { setDepartmentManagers(input: { departmentId: $d, userIds: $u }) { userErrors { code } } }',
    { d: team, u: [lead.id] },
  );
  return { org, admin, adminToken, fraud, team, member, lead, outsider };
}

describe('department permission fields over GraphQL', () => {
  it('sets and reads addedPermissions and managerPermissions; refuses a platform permission for managers', async () => {
    const { adminToken, fraud } = await fraudScenario();
    const read = async () =>
      (
        await gql(
          app,
          'query($id: ID!) { department(id: $id) { addedPermissions { name } managerPermissions { name } managerPermissionsAreDefault } }',
          { id: fraud },
          adminToken,
        )
      ).body.data.department;
    const before = await read();
    expect(before.addedPermissions).toEqual([{ name: 'investigations:export' }]);
    expect(before.managerPermissionsAreDefault).toBe(true);
    expect(before.managerPermissions.map((p: { name: string }) => p.name)).toContain('users:suspend');

    const update = (i: Record<string, unknown>) =>
      gql(
        app,
        'mutation($i: UpdateDepartmentInput!) { updateDepartment(input: $i) { department { managerPermissionsAreDefault } userErrors { code field } } }',
        { i: { departmentId: fraud, ...i } },
        adminToken,
      );
    const ok = await update({ managerPermissions: ['USERS_READ', 'USERS_DEACTIVATE'] });
    expect(ok.body.data.updateDepartment).toEqual({
      department: { managerPermissionsAreDefault: false },
      userErrors: [],
    });
    expect((await read()).managerPermissions).toEqual([{ name: 'users:read' }, { name: 'users:deactivate' }]);
    const refused = await update({ managerPermissions: ['INVESTIGATIONS_EXPORT'] });
    expect(refused.body.data.updateDepartment.userErrors).toEqual([
      { code: 'VALIDATION_FAILED', field: 'managerPermissions' },
    ]);
  });
});

describe('effectivePermissions', () => {
  it('shows a Fraud Unit permission for a member of its child team, with the department and the membership', async () => {
    const { adminToken, member } = await fraudScenario();
    const r = await gql(app, effectiveQuery, { id: member.id }, adminToken);
    expect(r.body.errors).toBeUndefined();
    const list = r.body.data.effectivePermissions;
    expect(named(list)).toEqual([
      'investigations:read',
      'investigations:export',
      'documents:read',
      'reports:read',
    ]);
    expect(list[1]).toEqual({
      permission: { name: 'investigations:export' },
      scope: { kind: 'ORGANIZATION', departments: [] },
      sources: [
        {
          kind: 'DEPARTMENT',
          role: null,
          department: { name: 'Fraud Unit' },
          through: { name: 'Team' },
          membership: 'PRIMARY',
        },
      ],
    });
    expect(list[0].sources).toEqual([
      { kind: 'ROLE', role: { key: 'VIEWER' }, department: null, through: null, membership: null },
    ]);
  });

  it('lets users read their own; a manager sees its manager permissions scoped to its subtree', async () => {
    const { member, lead } = await fraudScenario();
    const own = await gql(
      app,
      effectiveQuery,
      { id: member.id },
      (await signInAs(rt, app, member)).accessToken,
    );
    expect(own.body.errors).toBeUndefined();
    expect(named(own.body.data.effectivePermissions)).toContain('investigations:export');

    const leadToken = (await signInAs(rt, app, lead)).accessToken;
    const mine = (await gql(app, effectiveQuery, { id: lead.id }, leadToken)).body.data.effectivePermissions;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const suspend = mine.find((e: any) => e.permission.name === 'users:suspend');
    expect(suspend).toEqual({
      permission: { name: 'users:suspend' },
      scope: { kind: 'SUBTREE', departments: [{ name: 'Team' }] },
      sources: [
        { kind: 'MANAGER', role: null, department: { name: 'Team' }, through: null, membership: null },
      ],
    });
  });

  it('a manager reads the users of its subtree, FORBIDDEN outside it, NOT_FOUND in another organisation', async () => {
    const { member, lead, outsider, admin } = await fraudScenario();
    const elsewhere = await fraudScenario();
    const leadToken = (await signInAs(rt, app, lead)).accessToken;
    const inScope = await gql(app, effectiveQuery, { id: member.id }, leadToken);
    expect(inScope.body.errors).toBeUndefined();
    for (const id of [outsider.id, admin.id]) {
      const r = await gql(app, effectiveQuery, { id }, leadToken);
      expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const other = await gql(app, effectiveQuery, { id: elsewhere.member.id }, leadToken);
    const missing = await gql(app, effectiveQuery, { id: randomUUID() }, leadToken);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(other.body).toEqual(missing.body);
    // An administrator of another organisation: NOT_FOUND for both queries, same as a missing user.
    for (const query of [effectiveQuery, previewQuery]) {
      const vars = { role: 'ANALYST' };
      const a = await gql(app, query, { ...vars, id: member.id }, elsewhere.adminToken);
      const b = await gql(app, query, { ...vars, id: randomUUID() }, elsewhere.adminToken);
      expect(a.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(a.body).toEqual(b.body);
    }
  });

  it('a user without users:read reads nobody else: FORBIDDEN, even for a missing id', async () => {
    const { member, outsider } = await fraudScenario();
    const token = (await signInAs(rt, app, member)).accessToken;
    for (const id of [outsider.id, randomUUID()]) {
      for (const query of [effectiveQuery, previewQuery]) {
        const r = await gql(app, query, { id, role: 'ANALYST' }, token);
        expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
    }
  });
});

describe('roleChangePreview', () => {
  it('VIEWER -> ANALYST for the Fraud Unit’s team member: gains reports, keeps the department’s export', async () => {
    const { adminToken, member } = await fraudScenario();
    const r = await gql(app, previewQuery, { id: member.id, role: 'ANALYST' }, adminToken);
    expect(r.body.errors).toBeUndefined();
    const p = r.body.data.roleChangePreview;
    expect(p).toMatchObject({ user: { id: member.id }, from: { key: 'VIEWER' }, to: { key: 'ANALYST' } });
    expect(p.viewerMayChange).toBe(true);
    expect(p.gained).toEqual([
      {
        permission: { name: 'reports:create' },
        sources: [{ kind: 'ROLE', role: { key: 'ANALYST' }, department: null }],
      },
      {
        permission: { name: 'reports:export' },
        sources: [{ kind: 'ROLE', role: { key: 'ANALYST' }, department: null }],
      },
    ]);
    expect(p.lost).toEqual([]);
    expect(named(p.kept)).toEqual([
      'investigations:read',
      'investigations:export',
      'documents:read',
      'reports:read',
    ]);
    expect(p.kept[1]).toEqual({
      permission: { name: 'investigations:export' },
      scope: { kind: 'ORGANIZATION' },
      sources: [
        { kind: 'DEPARTMENT', role: null, department: { name: 'Fraud Unit' }, through: { name: 'Team' } },
      ],
    });
  });

  it('keeps with its department source a permission the new role drops', async () => {
    const { adminToken, member } = await fraudScenario();
    await rt.services.db
      .updateTable('users')
      .set({ role: 'investigator' })
      .where('id', '=', member.id)
      .execute();
    const p = (await gql(app, previewQuery, { id: member.id, role: 'VIEWER' }, adminToken)).body.data
      .roleChangePreview;
    expect(named(p.lost)).toEqual([
      'investigations:create',
      'investigations:update',
      'documents:create',
      'documents:update',
      'reports:create',
      'api:access',
    ]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(p.kept.find((e: any) => e.permission.name === 'investigations:export').sources).toEqual([
      { kind: 'DEPARTMENT', role: null, department: { name: 'Fraud Unit' }, through: { name: 'Team' } },
    ]);
  });

  it('viewerMayChange follows the viewer’s reach and the roles it may grant', async () => {
    const { member, lead, admin, adminToken } = await fraudScenario();
    const leadToken = (await signInAs(rt, app, lead)).accessToken;
    const may = async (token: string, id: string, role: string) => {
      const r = await gql(app, previewQuery, { id, role }, token);
      expect(r.body.errors).toBeUndefined();
      return r.body.data.roleChangePreview.viewerMayChange;
    };
    // The Analyst manages Team (default set: users:change_role) and may grant Viewer and Analyst.
    expect(await may(leadToken, member.id, 'ANALYST')).toBe(true);
    expect(await may(leadToken, member.id, 'INVESTIGATOR')).toBe(false); // not grantable by an Analyst
    expect(await may(leadToken, member.id, 'VIEWER')).toBe(false); // no change
    expect(await may(leadToken, lead.id, 'VIEWER')).toBe(false); // never oneself
    expect(await may(adminToken, member.id, 'INVESTIGATOR')).toBe(true);
    expect(await may(adminToken, member.id, 'OWNER')).toBe(false); // an Administrator cannot grant Owner
    expect(await may(adminToken, admin.id, 'VIEWER')).toBe(false);
  });
});
