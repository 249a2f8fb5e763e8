import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultManagerPermissions } from '../../src/authz/access.js';
import type { Permission } from '../../src/authz/permissions.js';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { moveDepartment } from '../../src/domain/departments/move-department.js';
import { setUserDepartments } from '../../src/domain/departments/set-user-departments.js';
import { gql } from '../support/auth.js';
import {
  buildScopeWorld,
  outcome,
  placeUser,
  userState,
  type Place,
  type ScopeWorld,
  type TargetState,
} from '../support/department-tree.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * The authorization matrix extended with department scope (issue 3): department managers without any
 * org-wide user administration, acting over GraphQL on users placed everywhere in the tree
 * (Root > A > A1, A > A2, Root > B; see test/support/department-tree.ts), in another organisation, and
 * on users that do not exist. Expected outcomes come from the rule, written out here independently of
 * the implementation: the target's PRIMARY department in the managed subtree, the permission in the
 * manager set (the default set here), and for writes a target role the manager could grant.
 */

interface Operation {
  permission: Permission;
  kind: 'read' | 'write';
  state: TargetState;
  document: string;
}

const operations: Record<string, Operation> = {
  user: {
    permission: 'users:read',
    kind: 'read',
    state: 'active',
    document: 'query($id: ID!) { user(id: $id) { id } }',
  },
  suspendUser: {
    permission: 'users:suspend',
    kind: 'write',
    state: 'active',
    document:
      'mutation($id: ID!) { suspendUser(input: { userId: $id, reason: "scope" }) { userErrors { code } } }',
  },
  reactivateUser: {
    permission: 'users:reactivate',
    kind: 'write',
    state: 'suspended',
    document: 'mutation($id: ID!) { reactivateUser(input: { userId: $id }) { userErrors { code } } }',
  },
  changeUserRole: {
    permission: 'users:change_role',
    kind: 'write',
    state: 'active',
    document:
      'mutation($id: ID!) { changeUserRole(input: { userId: $id, role: ANALYST }) { userErrors { code } } }',
  },
  resendInvitation: {
    permission: 'invitations:resend',
    kind: 'write',
    state: 'invited',
    document: 'mutation($id: ID!) { resendInvitation(input: { userId: $id }) { userErrors { code } } }',
  },
  revokeInvitation: {
    permission: 'invitations:revoke',
    kind: 'write',
    state: 'invited',
    document: 'mutation($id: ID!) { revokeInvitation(input: { userId: $id }) { userErrors { code } } }',
  },
  // not in the default manager set
  sessions: {
    permission: 'sessions:read',
    kind: 'read',
    state: 'active',
    document: 'query($id: ID!) { sessions(userId: $id) { id } }',
  },
  revokeUserSessions: {
    permission: 'users:revoke_sessions',
    kind: 'write',
    state: 'active',
    document: 'mutation($id: ID!) { revokeUserSessions(input: { userId: $id }) { userErrors { code } } }',
  },
  deactivateUser: {
    permission: 'users:deactivate',
    kind: 'write',
    state: 'active',
    document:
      'mutation($id: ID!) { deactivateUser(input: { userId: $id, reason: "scope" }) { userErrors { code } } }',
  },
  updateUserProfile: {
    permission: 'users:update',
    kind: 'write',
    state: 'active',
    document:
      'mutation($id: ID!) { updateUserProfile(input: { userId: $id, jobTitle: "Sergeant" }) { userErrors { code } } }',
  },
  setUserDepartments: {
    permission: 'users:update',
    kind: 'write',
    state: 'active',
    document:
      'mutation($id: ID!) { setUserDepartments(input: { userId: $id, primaryDepartmentId: null }) { userErrors { code } } }',
  },
};

/** Target places, plus an administrator in A1 (readable by A's and A1's managers, never writable). */
type Target = Place | 'administrator in A1' | 'nonexistent';
const targets: Target[] = [
  'Root',
  'A',
  'A1',
  'A2',
  'B',
  'secondary A1 only',
  'B + secondary A1',
  'nowhere',
  'administrator in A1',
  'other org',
  'nonexistent',
];

type Manager = 'managerA' | 'managerA1';
/** The departments of each manager's subtree, by name. */
const subtreeOf: Record<Manager, readonly Place[]> = { managerA: ['A', 'A1', 'A2'], managerA1: ['A1'] };

function expected(manager: Manager, op: Operation, target: Target): 'ok' | 'FORBIDDEN' | 'NOT_FOUND' {
  // FORBIDDEN does not depend on the target when the permission is held nowhere.
  if (!(defaultManagerPermissions as readonly Permission[]).includes(op.permission)) return 'FORBIDDEN';
  if (target === 'other org' || target === 'nonexistent') return 'NOT_FOUND';
  if (target === 'administrator in A1') return op.kind === 'read' ? 'ok' : 'FORBIDDEN';
  return subtreeOf[manager].includes(target) ? 'ok' : 'FORBIDDEN';
}

let rt: TestRuntime;
let app: RosterServer;
let w: ScopeWorld;

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  w = await buildScopeWorld(rt, app);
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

async function targetFor(target: Target, state: TargetState): Promise<string> {
  if (target === 'nonexistent') return randomUUID();
  if (target === 'administrator in A1')
    return (await placeUser(rt, w, 'A1', { state, role: 'administrator' })).id;
  return (await placeUser(rt, w, target, { state })).id;
}

describe('department scope matrix', () => {
  for (const manager of ['managerA', 'managerA1'] as const) {
    for (const [field, op] of Object.entries(operations)) {
      // The manager of A1 is checked on the default set; A's manager on everything.
      if (
        manager === 'managerA1' &&
        !(defaultManagerPermissions as readonly Permission[]).includes(op.permission)
      )
        continue;
      for (const target of targets) {
        const want = expected(manager, op, target);
        it(`${manager}: ${field} on a user in ${target}: ${want}`, async () => {
          const id = await targetFor(target, op.state);
          const before = await userState(rt, id);
          const r = await gql(app, op.document, { id }, w.tokens[manager]);
          expect(outcome(field, r.body)).toBe(want);
          if (want !== 'ok') expect(await userState(rt, id)).toEqual(before);
          if (target === 'other org') {
            // Another organisation's user is indistinguishable from one that does not exist.
            const missing = await gql(app, op.document, { id: randomUUID() }, w.tokens[manager]);
            expect(r.status).toBe(missing.status);
            expect(r.body).toEqual(missing.body);
          }
        });
      }
    }
  }
});

const usersQuery = `query($f: UserFilter) { users(first: 100, filter: $f) { nodes { id } totalCount { value exact } exactTotalCount } }`;
const ids = (r: { body: { data: { users: { nodes: { id: string }[] } } } }) =>
  r.body.data.users.nodes.map((n) => n.id).sort();

describe('lists narrow to the subtree', () => {
  it('users, counts, invitations and departments of a manager hold only its subtree', async () => {
    const world = await buildScopeWorld(rt, app);
    const placed = new Map<Place | 'administrator in A1', string>();
    for (const place of [
      'Root',
      'A',
      'A1',
      'A2',
      'B',
      'secondary A1 only',
      'B + secondary A1',
      'nowhere',
      'other org',
    ] as const) {
      placed.set(place, (await placeUser(rt, world, place, { state: 'invited' })).id);
    }
    placed.set('administrator in A1', (await placeUser(rt, world, 'A1', { role: 'administrator' })).id);
    const inA = ['A', 'A1', 'A2', 'administrator in A1'].map((p) => placed.get(p as Place)!).sort();
    const inA1 = ['A1', 'administrator in A1'].map((p) => placed.get(p as Place)!).sort();

    for (const [token, want] of [
      [world.tokens.managerA, inA],
      [world.tokens.managerA1, inA1],
    ] as const) {
      const r = await gql(app, usersQuery, {}, token);
      expect(r.body.errors).toBeUndefined();
      expect(ids(r)).toEqual(want);
      expect(r.body.data.users.totalCount).toEqual({ value: want.length, exact: true });
      expect(r.body.data.users.exactTotalCount).toBe(want.length);
      // filters combine with the scope: a search, a department outside it, a sort that walks an index
      const sibling = await gql(app, usersQuery, { f: { departmentId: world.dept.B } }, token);
      expect(ids(sibling)).toEqual([]);
      const invited = await gql(app, usersQuery, { f: { status: ['INVITED'] } }, token);
      expect(ids(invited)).toEqual(want.filter((id) => id !== placed.get('administrator in A1')));
      const byActivity = await gql(
        app,
        `{ users(first: 2, orderBy: { field: LAST_ACTIVE_AT, direction: DESC }) { nodes { id } pageInfo { hasNextPage } } }`,
        undefined,
        token,
      );
      expect(byActivity.body.data.users.nodes.every((n: { id: string }) => want.includes(n.id))).toBe(true);

      const inv = await gql(
        app,
        '{ invitations(first: 100) { edges { node { user { id } } } } }',
        undefined,
        token,
      );
      expect(inv.body.errors).toBeUndefined();
      const invitedIn = want.filter((id) => id !== placed.get('administrator in A1'));
      expect(
        inv.body.data.invitations.edges.map((e: { node: { user: { id: string } } }) => e.node.user.id).sort(),
      ).toEqual(invitedIn);
    }

    // User.invitation: a page of the manager's users reads theirs; a user outside its subtree (the
    // manager itself, who sits in Root, as one of A's managers) gets FORBIDDEN in that field only
    const withInvitation = await gql(
      app,
      `query($id: ID!) { users(first: 100, filter: { status: [INVITED] }) { nodes { invitation { status } } }
         department(id: $id) { name managers { displayName invitation { status } } } }`,
      { id: world.dept.A },
      world.tokens.managerA,
    );
    expect(withInvitation.body.data.users.nodes).toEqual(
      ['A', 'A1', 'A2'].map(() => ({ invitation: { status: 'PENDING' } })),
    );
    expect(withInvitation.body.data.department).toEqual({
      name: 'A',
      managers: [{ displayName: 'Manager A', invitation: null }],
    });
    expect(
      withInvitation.body.errors.map((e: { extensions: { code: string }; path: unknown[] }) => [
        e.extensions.code,
        e.path.join('.'),
      ]),
    ).toEqual([['FORBIDDEN', 'department.managers.0.invitation']]);

    // departments: the managed subtree only; outside it FORBIDDEN; ancestors outside it are left out
    const deps = await gql(app, '{ departments { name } }', undefined, world.tokens.managerA);
    expect(deps.body.data.departments.map((d: { name: string }) => d.name).sort()).toEqual(['A', 'A1', 'A2']);
    const a1 = await gql(
      app,
      'query($id: ID!) { department(id: $id) { name ancestors { name } children { name } memberCount } }',
      { id: world.dept.A1 },
      world.tokens.managerA,
    );
    expect(a1.body).toEqual({
      data: { department: { name: 'A1', ancestors: [{ name: 'A' }], children: [], memberCount: 4 } },
    });
    for (const id of [world.dept.Root, world.dept.B]) {
      const r = await gql(
        app,
        'query($id: ID!) { department(id: $id) { name } }',
        { id },
        world.tokens.managerA,
      );
      expect(outcome('department', r.body)).toBe('FORBIDDEN');
    }
    const theirs = await gql(
      app,
      'query($id: ID!) { department(id: $id) { name } }',
      { id: world.dept.other },
      world.tokens.managerA,
    );
    expect(outcome('department', theirs.body)).toBe('NOT_FOUND');

    // a user's departments: readable for a user of the subtree (all memberships), refused for others
    const mine = await gql(
      app,
      'query($id: ID!) { user(id: $id) { departments { isPrimary department { name } } } }',
      { id: placed.get('A1') },
      world.tokens.managerA1,
    );
    expect(mine.body.data.user.departments).toEqual([{ isPrimary: true, department: { name: 'A1' } }]);
  });
});

describe('no stale right after a reorganisation', () => {
  it('a subtree move moves the users out of one manager’s scope into another’s at the next request', async () => {
    const world = await buildScopeWorld(rt, app);
    const target = await placeUser(rt, world, 'A1');
    const read = (token: string) =>
      gql(app, 'query($id: ID!) { user(id: $id) { id } }', { id: target.id }, token).then((r) =>
        outcome('user', r.body),
      );
    const list = (token: string) => gql(app, usersQuery, {}, token).then(ids);
    expect(await read(world.tokens.managerA)).toBe('ok');
    expect(await read(world.tokens.managerB)).toBe('FORBIDDEN');

    await moveDepartment(world.admin(), { departmentId: world.dept.A1, newParentId: world.dept.B });

    // the same tokens, the next request
    expect(await read(world.tokens.managerA)).toBe('FORBIDDEN');
    expect(await list(world.tokens.managerA)).not.toContain(target.id);
    const before = await userState(rt, target.id);
    const suspendA = await gql(
      app,
      operations.suspendUser!.document,
      { id: target.id },
      world.tokens.managerA,
    );
    expect(outcome('suspendUser', suspendA.body)).toBe('FORBIDDEN');
    expect(await userState(rt, target.id)).toEqual(before);
    // A1's own manager keeps them: the subtree moved with its department
    expect(await read(world.tokens.managerA1)).toBe('ok');
    expect(await read(world.tokens.managerB)).toBe('ok');
    expect(await list(world.tokens.managerB)).toContain(target.id);
    const suspendB = await gql(
      app,
      operations.suspendUser!.document,
      { id: target.id },
      world.tokens.managerB,
    );
    expect(outcome('suspendUser', suspendB.body)).toBe('ok');
  });

  it('a user moved out of the subtree by an administrator is out of the manager’s reach at once', async () => {
    const world = await buildScopeWorld(rt, app);
    const target = await placeUser(rt, world, 'A1');
    const read = (token: string) =>
      gql(app, 'query($id: ID!) { user(id: $id) { id } }', { id: target.id }, token).then((r) =>
        outcome('user', r.body),
      );
    expect(await read(world.tokens.managerA1)).toBe('ok');
    // moved to the sibling, keeping A1 as a secondary membership: collaboration, not administration
    await setUserDepartments(world.admin(), {
      userId: target.id,
      primaryDepartmentId: world.dept.A2,
      secondaryDepartmentIds: [world.dept.A1],
    });
    expect(await read(world.tokens.managerA1)).toBe('FORBIDDEN');
    expect(await read(world.tokens.managerA)).toBe('ok');
    const before = await userState(rt, target.id);
    const r = await gql(app, operations.suspendUser!.document, { id: target.id }, world.tokens.managerA1);
    expect(outcome('suspendUser', r.body)).toBe('FORBIDDEN');
    expect(await userState(rt, target.id)).toEqual(before);
    // and a manager who is no longer a manager loses everything at the next request
    await rt.services.db
      .deleteFrom('department_managers')
      .where('user_id', '=', world.users.managerA.id)
      .execute();
    expect(await read(world.tokens.managerA)).toBe('FORBIDDEN');
    const users = await gql(app, usersQuery, {}, world.tokens.managerA);
    expect(outcome('users', users.body)).toBe('FORBIDDEN');
  });
});
