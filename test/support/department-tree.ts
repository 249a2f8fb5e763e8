import type { RoleKey } from '../../src/authz/roles.js';
import type { RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { createDepartment } from '../../src/domain/departments/create-department.js';
import { setDepartmentManagers } from '../../src/domain/departments/set-department-managers.js';
import { setUserDepartments } from '../../src/domain/departments/set-user-departments.js';
import { issueInvitation } from '../../src/domain/invitations/invitation-link.js';
import type { CommandContext } from '../../src/domain/shared/context.js';
import { signInAs } from './auth.js';
import { actorFor, contextFor, createOrg, createUser } from './factories.js';
import type { TestRuntime } from './test-runtime.js';

/**
 * The world of the department-scope tests: an organisation with the tree
 *
 *   Root > A > A1
 *          A > A2
 *   Root > B
 *
 * managers of A, of A1 and of B (all Analysts: no org-wide user administration, and they may grant the
 * Viewer and Analyst roles), an administrator and a user manager; and another organisation with a
 * department of its own. Each call builds a new organisation, so tests never share state.
 */
export type DepartmentName = 'Root' | 'A' | 'A1' | 'A2' | 'B';

/** Where a target user sits. */
export type Place =
  | DepartmentName
  /** Only a secondary membership of A1, no primary department. */
  | 'secondary A1 only'
  /** Primary in B, secondary in A1. */
  | 'B + secondary A1'
  /** No department at all. */
  | 'nowhere'
  /** In another organisation's department. */
  | 'other org';

export type TargetState = 'active' | 'suspended' | 'invited';

export interface ScopeWorld {
  orgId: string;
  otherOrgId: string;
  dept: Record<DepartmentName, string> & { other: string };
  /** A fresh command context of the administrator (access is memoised per context). */
  admin(): CommandContext;
  otherAdmin(): CommandContext;
  tokens: {
    managerA: string;
    managerA1: string;
    managerB: string;
    userManager: string;
    administrator: string;
  };
  users: { managerA: UserRow; managerA1: UserRow; managerB: UserRow };
}

export async function buildScopeWorld(rt: TestRuntime, app: RosterServer): Promise<ScopeWorld> {
  const s = rt.services;
  const org = await createOrg(s, 'Scoped Org');
  const other = await createOrg(s, 'Other Org');
  const adminUser = await createUser(s, org.id, { role: 'administrator' });
  const adminActor = await actorFor(s, adminUser);
  const admin = () => contextFor(s, adminActor);
  const otherAdminActor = await actorFor(s, await createUser(s, other.id, { role: 'administrator' }));
  const otherAdmin = () => contextFor(s, otherAdminActor);

  const root = await createDepartment(admin(), { name: 'Root' });
  const a = await createDepartment(admin(), { name: 'A', parentId: root.id });
  const a1 = await createDepartment(admin(), { name: 'A1', parentId: a.id });
  const a2 = await createDepartment(admin(), { name: 'A2', parentId: a.id });
  const b = await createDepartment(admin(), { name: 'B', parentId: root.id });
  const theirs = await createDepartment(otherAdmin(), { name: 'Theirs' });

  const managerA = await createUser(s, org.id, { role: 'analyst', displayName: 'Manager A' });
  const managerA1 = await createUser(s, org.id, { role: 'analyst', displayName: 'Manager A1' });
  const managerB = await createUser(s, org.id, { role: 'analyst', displayName: 'Manager B' });
  await setDepartmentManagers(admin(), { departmentId: a.id, userIds: [managerA.id] });
  await setDepartmentManagers(admin(), { departmentId: a1.id, userIds: [managerA1.id] });
  await setDepartmentManagers(admin(), { departmentId: b.id, userIds: [managerB.id] });
  // The managers sit in Root: their own placement gives them nothing over others.
  for (const m of [managerA, managerA1, managerB]) {
    await setUserDepartments(admin(), {
      userId: m.id,
      primaryDepartmentId: root.id,
      secondaryDepartmentIds: [],
    });
  }
  const userManager = await createUser(s, org.id, { role: 'user_manager' });
  const token = async (u: UserRow) => (await signInAs(rt, app, u)).accessToken;
  return {
    orgId: org.id,
    otherOrgId: other.id,
    dept: { Root: root.id, A: a.id, A1: a1.id, A2: a2.id, B: b.id, other: theirs.id },
    admin,
    otherAdmin,
    tokens: {
      managerA: await token(managerA),
      managerA1: await token(managerA1),
      managerB: await token(managerB),
      userManager: await token(userManager),
      administrator: await token(adminUser),
    },
    users: { managerA, managerA1, managerB },
  };
}

/**
 * A user placed as `place` says, in the given state, with a live session (so a change that wrongly
 * reached them shows in its revocation) and, when invited, a pending invitation.
 */
export async function placeUser(
  rt: TestRuntime,
  w: ScopeWorld,
  place: Place,
  o: { state?: TargetState; role?: RoleKey } = {},
): Promise<UserRow> {
  const s = rt.services;
  const state = o.state ?? 'active';
  const orgId = place === 'other org' ? w.otherOrgId : w.orgId;
  const user = await createUser(s, orgId, { role: o.role ?? 'viewer', status: state });
  await actorFor(s, user);
  if (state === 'suspended') {
    await s.db.updateTable('users').set({ status_reason: 'setup' }).where('id', '=', user.id).execute();
  }
  if (state === 'invited') {
    const now = s.clock.now();
    await s.db.transaction().execute((trx) =>
      issueInvitation(trx, {
        orgId,
        userId: user.id,
        role: user.role,
        message: null,
        invitedBy: null,
        expiresAt: new Date(now.getTime() + 86_400_000),
        now,
      }),
    );
  }
  const placement: { primary: string | null; secondary: string[] } | null =
    place === 'nowhere'
      ? null
      : place === 'other org'
        ? { primary: w.dept.other, secondary: [] }
        : place === 'secondary A1 only'
          ? { primary: null, secondary: [w.dept.A1] }
          : place === 'B + secondary A1'
            ? { primary: w.dept.B, secondary: [w.dept.A1] }
            : { primary: w.dept[place], secondary: [] };
  if (placement) {
    await setUserDepartments(place === 'other org' ? w.otherAdmin() : w.admin(), {
      userId: user.id,
      primaryDepartmentId: placement.primary,
      secondaryDepartmentIds: placement.secondary,
    });
  }
  return s.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow();
}

/** Everything an operation could change on a user: the row, sessions, invitations, memberships. */
export async function userState(rt: TestRuntime, id: string): Promise<unknown> {
  const db = rt.services.db;
  const user = await db
    .selectFrom('users')
    .select(['status', 'role', 'version', 'job_title', 'primary_department_id', 'updated_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  const sessions = await db
    .selectFrom('sessions')
    .select(['id', 'revoked_at'])
    .where('user_id', '=', id)
    .orderBy('id')
    .execute();
  const invitations = await db
    .selectFrom('invitations')
    .select(['id', 'status'])
    .where('user_id', '=', id)
    .orderBy('id')
    .execute();
  const memberships = await db
    .selectFrom('user_departments')
    .select(['department_id', 'is_primary'])
    .where('user_id', '=', id)
    .orderBy('department_id')
    .execute();
  return { user, sessions, invitations, memberships };
}

/** 'ok', or the stable code of the first error (top-level or in userErrors); a null `user` is NOT_FOUND. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function outcome(field: string, body: any): string {
  const top = body.errors?.[0]?.extensions?.code;
  if (top) return top;
  const result = body.data?.[field];
  if (result === null && (field === 'user' || field === 'department')) return 'NOT_FOUND';
  return result?.userErrors?.[0]?.code ?? 'ok';
}
