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

describe('departments over GraphQL', () => {
  it('builds a tree, places users, and reads it back through department, users and User.departments', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const { accessToken: token } = await signInAs(rt, app, admin);
    const create = async (name: string, parentId: string | null) => {
      const r = await gql(
        app,
        'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { department { id depth } userErrors { code } } }',
        { i: { name, parentId } },
        token,
      );
      expect(r.body.data.createDepartment.userErrors).toEqual([]);
      return r.body.data.createDepartment.department.id as string;
    };
    const root = await create('Directorate', null);
    const child = await create('Division', root);
    const grandchild = await create('Unit', child);

    const cycle = await gql(
      app,
      'mutation($id: ID!, $p: ID) { moveDepartment(input: { departmentId: $id, newParentId: $p }) { userErrors { code field } } }',
      { id: root, p: grandchild },
      token,
    );
    expect(cycle.body.data.moveDepartment.userErrors).toEqual([
      { code: 'DEPARTMENT_CYCLE', field: 'newParentId' },
    ]);

    const invited = await gql(
      app,
      `mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { invitations { user { id } } userErrors { code } } }`,
      { i: { invitations: [{ email: 'gq@example.test', role: 'VIEWER', departmentId: grandchild }] } },
      token,
    );
    expect(invited.body.data.inviteUsers.userErrors).toEqual([]);
    const userId = invited.body.data.inviteUsers.invitations[0].user.id as string;
    const placed = await gql(
      app,
      `mutation($id: ID!, $p: ID, $s: [ID!]) { setUserDepartments(input: { userId: $id, primaryDepartmentId: $p, secondaryDepartmentIds: $s }) {
         user { departments { isPrimary department { name } } } userErrors { code } } }`,
      { id: userId, p: grandchild, s: [root] },
      token,
    );
    expect(placed.body.data.setUserDepartments.user.departments).toEqual([
      { isPrimary: true, department: { name: 'Unit' } },
      { isPrimary: false, department: { name: 'Directorate' } },
    ]);

    const read = await gql(
      app,
      `query($id: ID!) { department(id: $id) { name ancestors { name } children { name } descendants { name }
         direct: memberCount all: memberCount(includeSubtree: true) } departments { name depth parentId } }`,
      { id: child },
      token,
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.department).toEqual({
      name: 'Division',
      ancestors: [{ name: 'Directorate' }],
      children: [{ name: 'Unit' }],
      descendants: [{ name: 'Unit' }],
      direct: 0,
      all: 1,
    });
    expect(read.body.data.departments).toEqual([
      { name: 'Directorate', depth: 0, parentId: null },
      { name: 'Division', depth: 1, parentId: root },
      { name: 'Unit', depth: 2, parentId: child },
    ]);

    const list = async (includeSubtree: boolean) =>
      (
        await gql(
          app,
          'query($f: UserFilter) { users(first: 10, filter: $f) { nodes { id } } }',
          { f: { departmentId: child, includeSubtree } },
          token,
        )
      ).body.data.users.nodes.map((n: { id: string }) => n.id);
    expect(await list(false)).toEqual([]);
    expect(await list(true)).toEqual([userId]);
  });
});
