import { randomBytes } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { archiveDepartment } from '../../src/domain/departments/archive-department.js';
import { createDepartment } from '../../src/domain/departments/create-department.js';
import {
  departmentActionsOf,
  type DepartmentActions,
} from '../../src/domain/departments/department-actions.js';
import { gql, signInAs } from '../support/auth.js';
import { buildScopeWorld, outcome, placeUser, type ScopeWorld } from '../support/department-tree.js';
import { actorFor, contextFor, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * `Department.viewerCan` agrees with the commands: for each viewer and department, every action it
 * answers true for succeeds when tried, and every action it answers false for is refused. And a whole tree
 * asking for it costs a fixed number of queries, not one per department.
 */

let rt: TestRuntime;
let app: RosterServer;
let w: ScopeWorld;
let finance: string;
/** An archived leaf under Root. */
let archived: string;
const actors = ['administrator', 'managerA', 'userManager', 'finance'] as const;
type Who = (typeof actors)[number];
const token = (who: Who) => (who === 'finance' ? finance : w.tokens[who]);
const uniq = () => randomBytes(4).toString('hex');

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  w = await buildScopeWorld(rt, app);
  // A's managers may also place users (users:update), so placement reaches exactly A's subtree.
  await rt.services.db
    .updateTable('departments')
    .set({
      manager_permissions: [
        'users:read',
        'users:invite',
        'users:update',
        'invitations:read',
        'departments:read',
      ],
    })
    .where('id', '=', w.dept.A)
    .execute();
  const f = await createUser(rt.services, w.orgId, { role: 'finance' });
  finance = (await signInAs(rt, app, f)).accessToken;
  const leaf = await createDepartment(w.admin(), { name: 'Closed unit', parentId: w.dept.Root });
  archived = (await archiveDepartment(w.admin(), { departmentId: leaf.id })).id;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const fields =
  'update createChild move archive setManagers setPermissions placeMembers inviteMembers' as const;

/** The answer the viewer gets, read through GraphQL; through the domain when the department is out of sight. */
async function viewerCan(who: Who, departmentId: string): Promise<DepartmentActions> {
  const r = await gql(
    app,
    `query($id: ID!) { department(id: $id) { viewerCan { ${fields} } } }`,
    { id: departmentId },
    token(who),
  );
  const answer = r.body.data?.department?.viewerCan;
  if (answer) return answer;
  // Not readable (FORBIDDEN): what the domain would answer, which must then be "nothing".
  expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const row = await rt.services.db
    .selectFrom('departments')
    .selectAll()
    .where('id', '=', departmentId)
    .executeTakeFirstOrThrow();
  const role = {
    administrator: 'administrator',
    managerA: null,
    userManager: 'user_manager',
    finance: 'finance',
  }[who];
  const user = role
    ? await rt.services.db
        .selectFrom('users')
        .selectAll()
        .where('org_id', '=', w.orgId)
        .where('role', '=', role)
        .limit(1)
        .executeTakeFirstOrThrow()
    : w.users.managerA;
  const [actions] = await departmentActionsOf(contextFor(rt.services, await actorFor(rt.services, user)), [
    row,
  ]);
  return actions!;
}

/** Tries the command behind one action on the department: 'ok' or the refusal's code. */
async function attempt(who: Who, action: keyof DepartmentActions, departmentId: string): Promise<string> {
  const run = async (field: string, document: string, input: Record<string, unknown>) =>
    outcome(field, (await gql(app, document, { i: input }, token(who))).body);
  const dept = await rt.services.db
    .selectFrom('departments')
    .selectAll()
    .where('id', '=', departmentId)
    .executeTakeFirstOrThrow();
  switch (action) {
    case 'update':
      return run(
        'updateDepartment',
        'mutation($i: UpdateDepartmentInput!) { updateDepartment(input: $i) { userErrors { code } } }',
        { departmentId, description: `Probed ${uniq()}` },
      );
    case 'setPermissions':
      return run(
        'updateDepartment',
        'mutation($i: UpdateDepartmentInput!) { updateDepartment(input: $i) { userErrors { code } } }',
        { departmentId, addedPermissions: [] },
      );
    case 'createChild':
      return run(
        'createDepartment',
        'mutation($i: CreateDepartmentInput!) { createDepartment(input: $i) { userErrors { code } } }',
        { name: `Child ${uniq()}`, parentId: departmentId },
      );
    case 'move':
      // To where it is: the command's checks all run, the tree stays as it was.
      return run(
        'moveDepartment',
        'mutation($i: MoveDepartmentInput!) { moveDepartment(input: $i) { userErrors { code } } }',
        { departmentId, newParentId: dept.parent_id },
      );
    case 'archive':
      return run(
        'archiveDepartment',
        'mutation($i: ArchiveDepartmentInput!) { archiveDepartment(input: $i) { userErrors { code } } }',
        { departmentId, moveMembersTo: dept.parent_id },
      );
    case 'setManagers': {
      const before = await rt.services.db
        .selectFrom('department_managers')
        .selectAll()
        .where('department_id', '=', departmentId)
        .execute();
      const candidate = await createUser(rt.services, w.orgId, { role: 'viewer' });
      const result = await run(
        'setDepartmentManagers',
        'mutation($i: SetDepartmentManagersInput!) { setDepartmentManagers(input: $i) { userErrors { code } } }',
        { departmentId, userIds: [...before.map((m) => m.user_id), candidate.id] },
      );
      // Put the managers back as they were, so later probes see the same world.
      await rt.services.db
        .deleteFrom('department_managers')
        .where('department_id', '=', departmentId)
        .execute();
      if (before.length > 0) await rt.services.db.insertInto('department_managers').values(before).execute();
      return result;
    }
    case 'placeMembers': {
      // Someone the viewer may change (in A1, inside manager A's subtree), moved into this department.
      const member = await placeUser(rt, w, 'A1');
      return run(
        'setUserDepartments',
        'mutation($i: SetUserDepartmentsInput!) { setUserDepartments(input: $i) { userErrors { code } } }',
        { userId: member.id, primaryDepartmentId: departmentId },
      );
    }
    case 'inviteMembers':
      return run(
        'inviteUsers',
        'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { userErrors { code } } }',
        { invitations: [{ email: `probe-${uniq()}@example.test`, role: 'VIEWER', departmentId }] },
      );
  }
}

const actions: (keyof DepartmentActions)[] = [
  'update',
  'setPermissions',
  'move',
  'setManagers',
  'placeMembers',
  'inviteMembers',
  // Archive before createChild: a leaf is archived while it has no children (then nothing else is allowed).
  'archive',
  'createChild',
];

describe('Department.viewerCan agrees with the commands', () => {
  /** What each viewer should be told, as a check on the probes themselves (not only their agreement). */
  const expected: Record<Who, Record<string, Partial<DepartmentActions>>> = {
    administrator: {
      A: { update: true, move: true, archive: false, setManagers: true, placeMembers: true },
      archived: { update: true, createChild: false, archive: false, setManagers: false, placeMembers: false },
    },
    managerA: {
      A: { update: false, move: false, setManagers: false, placeMembers: true, inviteMembers: true },
      A1: { placeMembers: true, inviteMembers: true, archive: false },
      B: { placeMembers: false, inviteMembers: false },
      Root: { placeMembers: false, inviteMembers: false },
    },
    userManager: { A: { update: false, placeMembers: true, inviteMembers: true } },
    finance: { A: { update: false, placeMembers: false, inviteMembers: false, archive: false } },
  };

  for (const who of actors) {
    it(`for ${who}: every action said possible succeeds, every other is refused`, async () => {
      const places: Record<string, string> = {
        Root: w.dept.Root,
        A: w.dept.A,
        A1: w.dept.A1,
        B: w.dept.B,
        archived,
        // Leaves of their own, so that archiving one (when allowed) takes nothing from the others.
        'leaf in A1': (await createDepartment(w.admin(), { name: `Leaf ${uniq()}`, parentId: w.dept.A1 })).id,
        'leaf in B': (await createDepartment(w.admin(), { name: `Leaf ${uniq()}`, parentId: w.dept.B })).id,
      };
      const disagreements: string[] = [];
      for (const [place, id] of Object.entries(places)) {
        const told = await viewerCan(who, id);
        for (const [action, value] of Object.entries(expected[who][place] ?? {})) {
          if (told[action as keyof DepartmentActions] !== value) {
            disagreements.push(`${place}: told ${action}=${String(told[action as keyof DepartmentActions])}`);
          }
        }
        for (const action of actions) {
          // Asked again just before trying: an earlier probe (a new child) may have changed the answer.
          const may = (await viewerCan(who, id))[action];
          const result = await attempt(who, action, id);
          if (may !== (result === 'ok')) disagreements.push(`${place}: ${action} told ${may}, got ${result}`);
        }
      }
      expect(disagreements).toEqual([]);
    });
  }
});

describe('Department.viewerCan over a whole tree', () => {
  it('costs the same few queries for 300 departments as for none', async () => {
    for (let i = 0; i < 300; i++) {
      await createDepartment(w.admin(), { name: `Bulk ${i}`, parentId: i % 2 ? w.dept.A2 : w.dept.B });
    }
    let queries = 0;
    const counter: KyselyPlugin = {
      transformQuery: (a) => {
        queries++;
        return a.node;
      },
      transformResult: async (a) => a.result,
    };
    const counted = await buildServer(
      { ...rt.services, db: rt.services.db.withPlugin(counter) },
      { logger: false },
    );
    try {
      const cost = async (who: Who, document: string) => {
        queries = 0;
        const r = await gql(counted, document, undefined, token(who));
        expect(r.body.errors).toBeUndefined();
        return { queries, rows: r.body.data.departments as { viewerCan?: DepartmentActions }[] };
      };
      for (const who of ['administrator', 'managerA'] as const) {
        const plain = await cost(who, '{ departments { id } }');
        const asked = await cost(who, `{ departments { id viewerCan { ${fields} } } }`);
        expect(asked.rows.length).toBe(plain.rows.length);
        expect(asked.rows.length).toBeGreaterThan(who === 'administrator' ? 300 : 150);
        expect(asked.queries - plain.queries, who).toBeLessThanOrEqual(1);
      }
    } finally {
      await counted.close();
    }
  });
});
