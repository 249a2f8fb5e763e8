import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleKey } from '../../src/authz/roles.js';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { createDepartment } from '../../src/domain/departments/create-department.js';
import { setDepartmentManagers } from '../../src/domain/departments/set-department-managers.js';
import { setUserDepartments } from '../../src/domain/departments/set-user-departments.js';
import type { UserActions } from '../../src/domain/users/user-policy.js';
import { gql, signInAs } from '../support/auth.js';
import {
  buildScopeWorld,
  outcome,
  placeUser,
  userState,
  type ScopeWorld,
  type TargetState,
} from '../support/department-tree.js';
import { createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * Department managers over GraphQL, beyond the matrix: `viewerCan` says exactly what the mutations then
 * allow, a department's custom manager set, inviting into the managed subtree, and placements that would
 * hand out (or take away) the permissions a department adds.
 */

let rt: TestRuntime;
let app: RosterServer;
let w: ScopeWorld;
/** C: a child of Root whose managers get a custom set; C1 below it. F: under A, adds investigations:export. */
let c: string;
let c1: string;
let f: string;
let ff: string;
let managerC: string;

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  w = await buildScopeWorld(rt, app);
  const db = rt.services.db;
  c = (await createDepartment(w.admin(), { name: 'C', parentId: w.dept.Root })).id;
  c1 = (await createDepartment(w.admin(), { name: 'C1', parentId: c })).id;
  f = (await createDepartment(w.admin(), { name: 'Fraud', parentId: w.dept.A })).id;
  ff = (await createDepartment(w.admin(), { name: 'Fraud team', parentId: f })).id;
  await db
    .updateTable('departments')
    .set({ manager_permissions: ['users:read', 'users:deactivate', 'users:update'] })
    .where('id', '=', c)
    .execute();
  await db
    .updateTable('departments')
    .set({ added_permissions: ['investigations:export'] })
    .where('id', '=', f)
    .execute();
  const m = await createUser(rt.services, w.orgId, { role: 'analyst', displayName: 'Manager C' });
  await setDepartmentManagers(w.admin(), { departmentId: c, userIds: [m.id] });
  managerC = (await signInAs(rt, app, m)).accessToken;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

/** A user placed in a department given by id (for the departments made here). */
async function placedIn(departmentId: string, o: { state?: TargetState; role?: RoleKey } = {}) {
  const u = await placeUser(rt, w, 'nowhere', o);
  await setUserDepartments(w.admin(), {
    userId: u.id,
    primaryDepartmentId: departmentId,
    secondaryDepartmentIds: [],
  });
  return u;
}

const mutationOf: Record<keyof UserActions, { field: string; document: string; role?: boolean }> = {
  updateProfile: {
    field: 'updateUserProfile',
    document:
      'mutation($id: ID!) { updateUserProfile(input: { userId: $id, jobTitle: "Inspector" }) { userErrors { code } } }',
  },
  changeRole: {
    field: 'changeUserRole',
    document:
      'mutation($id: ID!, $role: RoleKey!) { changeUserRole(input: { userId: $id, role: $role }) { userErrors { code } } }',
    role: true,
  },
  suspend: {
    field: 'suspendUser',
    document:
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: "scope" }) { userErrors { code } } }',
  },
  reactivate: {
    field: 'reactivateUser',
    document: 'mutation($id: ID!) { reactivateUser(input: { userId: $id }) { userErrors { code } } }',
  },
  deactivate: {
    field: 'deactivateUser',
    document:
      'mutation($id: ID!) { deactivateUser(input: { userId: $id, reason: "scope" }) { userErrors { code } } }',
  },
  revokeSessions: {
    field: 'revokeUserSessions',
    document: 'mutation($id: ID!) { revokeUserSessions(input: { userId: $id }) { userErrors { code } } }',
  },
  resendInvitation: {
    field: 'resendInvitation',
    document: 'mutation($id: ID!) { resendInvitation(input: { userId: $id }) { userErrors { code } } }',
  },
  setDepartments: {
    field: 'setUserDepartments',
    document:
      'mutation($id: ID!) { setUserDepartments(input: { userId: $id, primaryDepartmentId: null }) { userErrors { code } } }',
  },
  unlock: {
    field: 'unlockUser',
    document: 'mutation($id: ID!) { unlockUser(input: { userId: $id }) { userErrors { code } } }',
  },
  sendPasswordReset: {
    field: 'sendPasswordReset',
    document: 'mutation($id: ID!) { sendPasswordReset(input: { userId: $id }) { userErrors { code } } }',
  },
  revokeInvitation: {
    field: 'revokeInvitation',
    document: 'mutation($id: ID!) { revokeInvitation(input: { userId: $id }) { userErrors { code } } }',
  },
};
const actions = Object.keys(mutationOf) as (keyof UserActions)[];
const viewerCanFields = actions.join(' ');

describe('viewerCan tells a manager what the mutations allow', () => {
  const cases: {
    who: string;
    token: () => string;
    where: () => string;
    state: TargetState;
    role: RoleKey;
  }[] = [
    {
      who: 'managerA',
      token: () => w.tokens.managerA,
      where: () => w.dept.A1,
      state: 'active',
      role: 'viewer',
    },
    {
      who: 'managerA',
      token: () => w.tokens.managerA,
      where: () => w.dept.A1,
      state: 'suspended',
      role: 'viewer',
    },
    {
      who: 'managerA',
      token: () => w.tokens.managerA,
      where: () => w.dept.A2,
      state: 'invited',
      role: 'analyst',
    },
    {
      who: 'managerA',
      token: () => w.tokens.managerA,
      where: () => w.dept.A1,
      state: 'active',
      role: 'administrator',
    },
    {
      who: 'managerA',
      token: () => w.tokens.managerA,
      where: () => w.dept.A1,
      state: 'invited',
      role: 'investigator',
    },
    { who: 'managerC', token: () => managerC, where: () => c1, state: 'active', role: 'viewer' },
    { who: 'managerC', token: () => managerC, where: () => c, state: 'suspended', role: 'analyst' },
  ];
  for (const k of cases) {
    it(`${k.who} on a ${k.state} ${k.role} of its subtree`, async () => {
      const seen: Partial<UserActions> = {};
      for (const action of actions) {
        // a fresh target per action, so that one action does not change the next one's answer
        const target = await placedIn(k.where(), { state: k.state, role: k.role });
        const single = await gql(
          app,
          `query($id: ID!) { user(id: $id) { viewerCan { ${viewerCanFields} } } }`,
          { id: target.id },
          k.token(),
        );
        expect(single.body.errors).toBeUndefined();
        const can = single.body.data.user.viewerCan as UserActions;
        // the page (batched) answer is the same as the single one
        const page = await gql(
          app,
          `query($s: String!) { users(first: 5, filter: { search: $s }) { nodes { id viewerCan { ${viewerCanFields} } } } }`,
          { s: target.email },
          k.token(),
        );
        expect(page.body.data.users.nodes).toEqual([{ id: target.id, viewerCan: can }]);

        const m = mutationOf[action];
        const vars = {
          id: target.id,
          ...(m.role ? { role: k.role === 'viewer' ? 'ANALYST' : 'VIEWER' } : {}),
        };
        const before = await userState(rt, target.id);
        const r = await gql(app, m.document, vars, k.token());
        const result = outcome(m.field, r.body);
        expect({ action, allowed: result === 'ok' }).toEqual({ action, allowed: can[action] });
        if (result !== 'ok') expect(await userState(rt, target.id)).toEqual(before);
        seen[action] = can[action];
      }
      // the expected answers, written out
      const writable = k.role === 'viewer' || k.role === 'analyst';
      const set =
        k.who === 'managerA'
          ? ['changeRole', 'suspend', 'reactivate', 'resendInvitation', 'revokeInvitation']
          : ['updateProfile', 'deactivate', 'setDepartments'];
      const byStatus: Record<keyof UserActions, boolean> = {
        updateProfile: true,
        changeRole: true,
        suspend: k.state === 'active',
        reactivate: k.state === 'suspended',
        deactivate: true,
        revokeSessions: true,
        resendInvitation: k.state === 'invited',
        revokeInvitation: k.state === 'invited',
        // no failed sign-ins to clear, and managers never hold security:manage
        unlock: false,
        setDepartments: true,
        // managers never hold security:manage
        sendPasswordReset: false,
      };
      for (const action of actions) {
        expect({ action, can: seen[action] }).toEqual({
          action,
          can: writable && set.includes(action) && byStatus[action],
        });
      }
    });
  }
});

describe('a custom manager set', () => {
  it('lets C’s manager deactivate, edit and re-place within C, and nothing it does not carry', async () => {
    const inC = await placedIn(c);
    const deactivate = mutationOf.deactivate.document;
    const suspend = mutationOf.suspend.document;
    expect(outcome('suspendUser', (await gql(app, suspend, { id: inC.id }, managerC)).body)).toBe(
      'FORBIDDEN',
    );
    const r = await gql(app, deactivate, { id: inC.id }, managerC);
    expect(outcome('deactivateUser', r.body)).toBe('ok');
    const inA1 = await placeUser(rt, w, 'A1');
    const before = await userState(rt, inA1.id);
    expect(outcome('deactivateUser', (await gql(app, deactivate, { id: inA1.id }, managerC)).body)).toBe(
      'FORBIDDEN',
    );
    expect(await userState(rt, inA1.id)).toEqual(before);

    // users:update in the set: re-placing within C is allowed, out of it (or into another branch) is not
    const mover = await placedIn(c);
    const place = (p: string | null, s: string[] = []) =>
      gql(
        app,
        `mutation($id: ID!, $p: ID, $s: [ID!]) { setUserDepartments(input: { userId: $id, primaryDepartmentId: $p, secondaryDepartmentIds: $s }) { userErrors { code field } } }`,
        { id: mover.id, p, s },
        managerC,
      ).then((x) => x.body.data.setUserDepartments.userErrors);
    expect(await place(c1)).toEqual([]);
    const placed = await userState(rt, mover.id);
    expect(await place(w.dept.B)).toEqual([{ code: 'FORBIDDEN', field: 'primaryDepartmentId' }]);
    expect(await place(c1, [w.dept.B])).toEqual([{ code: 'FORBIDDEN', field: 'secondaryDepartmentIds.0' }]);
    expect(await userState(rt, mover.id)).toEqual(placed);
    // the user's memberships outside C cannot be taken away by C's manager either
    await setUserDepartments(w.admin(), {
      userId: mover.id,
      primaryDepartmentId: c1,
      secondaryDepartmentIds: [w.dept.B],
    });
    expect(await place(c1)).toEqual([{ code: 'FORBIDDEN', field: 'secondaryDepartmentIds' }]);
  });
});

const inviteMutation = `mutation($i: [InviteUserInput!]!) { inviteUsers(input: { invitations: $i }) {
  invitations { user { id } } userErrors { code field } } }`;
const entry = (departmentId: string | null, role = 'VIEWER') => ({
  email: `scope-${randomUUID()}@example.test`,
  role,
  ...(departmentId ? { departmentId } : {}),
});
async function exists(email: string): Promise<boolean> {
  const row = await rt.services.db
    .selectFrom('users')
    .select('id')
    .where('email_normalized', '=', email)
    .executeTakeFirst();
  return row !== undefined;
}

describe('inviting as a department manager', () => {
  it('invites into the subtree only, naming the refused entry, and writes nothing when refused', async () => {
    const ok = entry(w.dept.A2, 'ANALYST');
    const r = await gql(app, inviteMutation, { i: [ok] }, w.tokens.managerA);
    expect(r.body.data.inviteUsers.userErrors).toEqual([]);
    const id = r.body.data.inviteUsers.invitations[0].user.id as string;
    const row = await rt.services.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ primary_department_id: w.dept.A2, status: 'invited', role: 'analyst' });

    const refused: [string, Record<string, unknown>[], { code: string; field: string | null }][] = [
      [
        w.tokens.managerA,
        [entry(w.dept.A1), entry(w.dept.B)],
        { code: 'FORBIDDEN', field: 'invitations.1.departmentId' },
      ],
      [w.tokens.managerA, [entry(w.dept.Root)], { code: 'FORBIDDEN', field: 'invitations.0.departmentId' }],
      [w.tokens.managerA, [entry(null)], { code: 'FORBIDDEN', field: 'invitations.0.departmentId' }],
      [
        w.tokens.managerA,
        [entry(w.dept.A1, 'ADMINISTRATOR')],
        { code: 'ROLE_NOT_GRANTABLE', field: 'invitations.0.role' },
      ],
      [w.tokens.managerA, [entry(w.dept.other)], { code: 'NOT_FOUND', field: 'invitations.0.departmentId' }],
      [w.tokens.managerA1, [entry(w.dept.A)], { code: 'FORBIDDEN', field: 'invitations.0.departmentId' }],
      [w.tokens.managerA1, [entry(w.dept.A2)], { code: 'FORBIDDEN', field: 'invitations.0.departmentId' }],
      // C's set carries no users:invite
      [managerC, [entry(c)], { code: 'FORBIDDEN', field: null }],
    ];
    for (const [token, entries, error] of refused) {
      const x = await gql(app, inviteMutation, { i: entries }, token);
      expect(x.body.data.inviteUsers).toEqual({ invitations: null, userErrors: [error] });
      for (const e of entries) expect(await exists(String(e.email))).toBe(false);
    }
  });
});

describe('placements that hand out department permissions', () => {
  const placeMutation = `mutation($id: ID!, $p: ID, $s: [ID!]) { setUserDepartments(input: { userId: $id, primaryDepartmentId: $p, secondaryDepartmentIds: $s }) { userErrors { code field message } } }`;
  const place = async (token: string, id: string, p: string | null, s: string[] = []) =>
    (await gql(app, placeMutation, { id, p, s }, token)).body.data.setUserDepartments.userErrors;
  const notHeld = (field: string) => [
    { code: 'DEPARTMENT_PERMISSION_NOT_HELD', field, message: expect.any(String) },
  ];

  it('refuses an org-wide user manager to place users into, or out of, a department adding what it lacks', async () => {
    const t = await placeUser(rt, w, 'A1');
    const before = await userState(rt, t.id);
    expect(await place(w.tokens.userManager, t.id, f)).toEqual(notHeld('primaryDepartmentId'));
    expect(await place(w.tokens.userManager, t.id, w.dept.A1, [w.dept.B, ff])).toEqual(
      notHeld('secondaryDepartmentIds.1'),
    );
    expect(await userState(rt, t.id)).toEqual(before);

    const inF = await placedIn(f);
    const inFBefore = await userState(rt, inF.id);
    expect(await place(w.tokens.userManager, inF.id, w.dept.A1)).toEqual(notHeld('primaryDepartmentId'));
    expect(await place(w.tokens.userManager, inF.id, null)).toEqual(notHeld('primaryDepartmentId'));
    expect(await userState(rt, inF.id)).toEqual(inFBefore);
    // moving between departments that add the same permission hands out nothing
    expect(await place(w.tokens.userManager, inF.id, ff, [w.dept.B])).toEqual([]);
    // an administrator holds it
    expect(await place(w.tokens.administrator, t.id, f)).toEqual([]);

    // inviting into it likewise
    const e = entry(ff);
    const r = await gql(app, inviteMutation, { i: [entry(w.dept.A1), e] }, w.tokens.userManager);
    expect(r.body.data.inviteUsers.userErrors).toEqual([
      { code: 'DEPARTMENT_PERMISSION_NOT_HELD', field: 'invitations.1.departmentId' },
    ]);
    expect(await exists(e.email)).toBe(false);
    const m = await gql(app, inviteMutation, { i: [entry(f)] }, w.tokens.managerA);
    expect(m.body.data.inviteUsers.userErrors).toEqual([
      { code: 'DEPARTMENT_PERMISSION_NOT_HELD', field: 'invitations.0.departmentId' },
    ]);
    const a = await gql(app, inviteMutation, { i: [entry(f)] }, w.tokens.administrator);
    expect(a.body.data.inviteUsers.userErrors).toEqual([]);
  });

  it('lets a user manager who holds the permission through its own department place users there', async () => {
    const um = await createUser(rt.services, w.orgId, { role: 'user_manager' });
    await setUserDepartments(w.admin(), {
      userId: um.id,
      primaryDepartmentId: w.dept.B,
      secondaryDepartmentIds: [ff],
    });
    const token = (await signInAs(rt, app, um)).accessToken;
    const t = await placeUser(rt, w, 'A1');
    expect(await place(token, t.id, f)).toEqual([]);
    const r = await gql(app, inviteMutation, { i: [entry(ff)] }, token);
    expect(r.body.data.inviteUsers.userErrors).toEqual([]);
  });
});
