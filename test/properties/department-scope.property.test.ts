import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultManagerPermissions } from '../../src/authz/access.js';
import type { Permission } from '../../src/authz/permissions.js';
import { permissionsOf, type RoleKey } from '../../src/authz/roles.js';
import { createDepartment } from '../../src/domain/departments/create-department.js';
import { moveDepartment } from '../../src/domain/departments/move-department.js';
import { setDepartmentManagers } from '../../src/domain/departments/set-department-managers.js';
import { setUserDepartments } from '../../src/domain/departments/set-user-departments.js';
import { isDomainError } from '../../src/domain/errors.js';
import { seatCounts, seatCountsFromUsers } from '../../src/domain/reports/cost-seats.js';
import type { CommandContext } from '../../src/domain/shared/context.js';
import { changeUserRole } from '../../src/domain/users/change-user-role.js';
import { getUser } from '../../src/domain/users/get-user.js';
import { inviteUsers } from '../../src/domain/users/invite-users.js';
import { listUsers } from '../../src/domain/users/list-users.js';
import { reactivateUser } from '../../src/domain/users/reactivate-user.js';
import { suspendUser } from '../../src/domain/users/suspend-user.js';
import { actorFor, contextFor, createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * Property (issue 3): for random trees, managers and operations — including subtree moves and users moved
 * between departments between the steps — no actor ever uses a permission on a user outside its scope,
 * never misses one inside it, and nobody grants a role holding a permission they do not hold.
 *
 * Real commands on a real database; the oracle reads the tree's parent pointers, the users' primary
 * departments and the managers straight from the tables and walks up the tree, independently of the
 * materialised paths the product uses.
 */

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

const managerRoles: RoleKey[] = ['viewer', 'analyst', 'investigator', 'user_manager', 'auditor'];
const targetRoles: RoleKey[] = ['viewer', 'analyst', 'investigator', 'user_manager', 'administrator'];

type Step =
  | { kind: 'move'; dept: number; parent: number | null }
  | { kind: 'place'; user: number; dept: number | null }
  | { kind: 'read'; actor: number; user: number }
  | { kind: 'list'; actor: number }
  | { kind: 'suspend'; actor: number; user: number }
  | { kind: 'reactivate'; actor: number; user: number }
  | { kind: 'role'; actor: number; user: number; role: RoleKey }
  | { kind: 'invite'; actor: number; dept: number | null; role: RoleKey };

interface Scenario {
  parents: (number | null)[];
  users: { role: RoleKey; dept: number | null }[];
  managers: { role: RoleKey; depts: number[] }[];
  steps: Step[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc.integer({ min: 2, max: 6 }).chain((n) => {
  const dept = fc.integer({ min: 0, max: n - 1 });
  const optDept = fc.option(dept, { freq: 5 });
  return fc.integer({ min: 2, max: 5 }).chain((u) =>
    fc.integer({ min: 1, max: 2 }).chain((m) => {
      const user = fc.integer({ min: 0, max: u - 1 });
      const actor = fc.integer({ min: 0, max: m - 1 });
      const step: fc.Arbitrary<Step> = fc.oneof(
        fc.record({ kind: fc.constant('move' as const), dept, parent: optDept }),
        fc.record({ kind: fc.constant('place' as const), user, dept: optDept }),
        fc.record({ kind: fc.constant('read' as const), actor, user }),
        fc.record({ kind: fc.constant('list' as const), actor }),
        fc.record({ kind: fc.constant('suspend' as const), actor, user }),
        fc.record({ kind: fc.constant('reactivate' as const), actor, user }),
        fc.record({ kind: fc.constant('role' as const), actor, user, role: fc.constantFrom(...targetRoles) }),
        fc.record({
          kind: fc.constant('invite' as const),
          actor,
          dept: optDept,
          role: fc.constantFrom(...targetRoles),
        }),
      );
      return fc.record({
        parents: fc.tuple(
          ...Array.from({ length: n }, (_, i) =>
            i === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 4 }),
          ),
        ),
        users: fc.array(fc.record({ role: fc.constantFrom(...targetRoles), dept: optDept }), {
          minLength: u,
          maxLength: u,
        }),
        managers: fc.array(
          fc.record({
            role: fc.constantFrom(...managerRoles),
            depts: fc.uniqueArray(dept, { minLength: 1, maxLength: 2 }),
          }),
          { minLength: m, maxLength: m },
        ),
        steps: fc.array(step, { minLength: 4, maxLength: 10 }),
      });
    }),
  );
});

/** What the tables say now, read without the product's paths. */
async function worldOf(orgId: string) {
  const db = rt.services.db;
  const depts = await db
    .selectFrom('departments')
    .select(['id', 'parent_id'])
    .where('org_id', '=', orgId)
    .execute();
  const parent = new Map(depts.map((d) => [d.id, d.parent_id]));
  const primaries = await db
    .selectFrom('user_departments')
    .select(['user_id', 'department_id'])
    .where('org_id', '=', orgId)
    .where('is_primary', '=', true)
    .execute();
  const primary = new Map(primaries.map((r) => [r.user_id, r.department_id]));
  const mgr = await db
    .selectFrom('department_managers')
    .select(['user_id', 'department_id'])
    .where('org_id', '=', orgId)
    .execute();
  const users = await db
    .selectFrom('users')
    .select(['id', 'role', 'status'])
    .where('org_id', '=', orgId)
    .execute();
  const above = (d: string | null | undefined, ancestor: string) => {
    for (let x = d ?? null; x !== null; x = parent.get(x) ?? null) if (x === ancestor) return true;
    return false;
  };
  /** Oracle: may the manager use permission p on the user? */
  const mayUse = (managerId: string, managerRole: RoleKey, p: Permission, userId: string, write: boolean) => {
    const role = permissionsOf(managerRole);
    const target = users.find((x) => x.id === userId);
    // Org-wide, a write is capped by rank: the target's role holds no administrative (non-platform)
    // permission the actor lacks (issue 10, point 7).
    const ranks = () =>
      [...permissionsOf(target!.role as RoleKey)]
        .filter((q) => !/^(investigations|documents|reports|api):/.test(q))
        .every((q) => role.has(q));
    if (role.has(p)) return !write || ranks();
    if (!(defaultManagerPermissions as readonly Permission[]).includes(p)) return false;
    const covered = mgr.some((m) => m.user_id === managerId && above(primary.get(userId), m.department_id));
    if (!covered) return false;
    if (!write) return true;
    return [...permissionsOf(target!.role as RoleKey)].every((q) => role.has(q));
  };
  const mayPlaceIn = (managerId: string, managerRole: RoleKey, p: Permission, deptId: string | null) =>
    permissionsOf(managerRole).has(p) ||
    (deptId !== null &&
      (defaultManagerPermissions as readonly Permission[]).includes(p) &&
      mgr.some((m) => m.user_id === managerId && above(deptId, m.department_id)));
  return { users, mayUse, mayPlaceIn };
}

const code = (e: unknown) => (isDomainError(e) ? e.code : `unexpected: ${String(e)}`);

async function attempt(run: () => Promise<unknown>): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (e) {
    return code(e);
  }
}

describe('department scope (property, real commands)', () => {
  it('no manager acts outside its subtree or grants a role wider than its own, through moves and re-placements (and the seat ledger stays right)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        const s = rt.services;
        const org = await createOrg(s);
        const admin = await createUser(s, org.id, { role: 'administrator' });
        const adminCtx = contextFor(s, await actorFor(s, admin));
        const depts: string[] = [];
        for (const p of sc.parents) {
          const d = await createDepartment(adminCtx, {
            name: `D${depts.length}`,
            parentId: p === null ? null : depts[p],
          });
          depts.push(d.id);
        }
        const users = [];
        for (const u of sc.users) {
          const row = await createUser(s, org.id, { role: u.role });
          if (u.dept !== null) {
            await setUserDepartments(adminCtx, {
              userId: row.id,
              primaryDepartmentId: depts[u.dept]!,
              secondaryDepartmentIds: [],
            });
          }
          users.push(row);
        }
        const managers: { id: string; role: RoleKey; ctx: CommandContext }[] = [];
        for (const m of sc.managers) {
          const row = await createUser(s, org.id, { role: m.role });
          managers.push({ id: row.id, role: m.role, ctx: contextFor(s, await actorFor(s, row)) });
        }
        for (const [i, d] of depts.entries()) {
          const ids = managers.filter((_, k) => sc.managers[k]!.depts.includes(i)).map((m) => m.id);
          if (ids.length > 0) await setDepartmentManagers(adminCtx, { departmentId: d, userIds: ids });
        }

        for (const step of sc.steps) {
          if (step.kind === 'move') {
            await attempt(() =>
              moveDepartment(adminCtx, {
                departmentId: depts[step.dept]!,
                newParentId: step.parent === null ? null : depts[step.parent]!,
              }),
            );
            continue;
          }
          if (step.kind === 'place') {
            await setUserDepartments(adminCtx, {
              userId: users[step.user]!.id,
              primaryDepartmentId: step.dept === null ? null : depts[step.dept]!,
              secondaryDepartmentIds: [],
            });
            continue;
          }
          const m = managers[step.actor]!;
          // A fresh context per step: rights are read per request, as the API does.
          const ctx = contextFor(s, m.ctx.actor);
          const w = await worldOf(org.id);
          if (step.kind === 'list') {
            const page = await listUsers(ctx, { first: 100, includeTotalCount: false }).catch(
              (e: unknown) => e,
            );
            const expected = w.users
              .filter((u) => w.mayUse(m.id, m.role, 'users:read', u.id, false))
              .map((u) => u.id)
              .sort();
            if (expected.length === 0 && !permissionsOf(m.role).has('users:read')) {
              // No reach at all (manages nothing that reaches anyone) may still list an empty page.
              const got = isDomainError(page)
                ? []
                : (page as Awaited<ReturnType<typeof listUsers>>).edges.map((e) => e.node.id);
              expect(got).toEqual([]);
            } else {
              expect(isDomainError(page) ? code(page) : null).toBeNull();
              const got = (page as Awaited<ReturnType<typeof listUsers>>).edges.map((e) => e.node.id).sort();
              expect(got).toEqual(expected);
            }
            continue;
          }
          if (step.kind === 'invite') {
            const deptId = step.dept === null ? null : depts[step.dept]!;
            const mayInvite = w.mayPlaceIn(m.id, m.role, 'users:invite', deptId);
            const grantable = [...permissionsOf(step.role)].every((q) => permissionsOf(m.role).has(q));
            const got = await attempt(() =>
              inviteUsers(ctx, {
                invitations: [
                  { email: `p-${randomUUID()}@example.test`, role: step.role, departmentId: deptId },
                ],
              }),
            );
            if (got === null) {
              expect(mayInvite, 'invited outside its scope').toBe(true);
              expect(grantable, 'granted a role wider than its own').toBe(true);
            } else if (mayInvite && grantable) {
              expect(got, 'refused an invitation inside its scope').not.toBe('FORBIDDEN');
            }
            continue;
          }
          const target = users[step.user]!;
          const before = await s.db
            .selectFrom('users')
            .select(['role', 'status', 'version'])
            .where('id', '=', target.id)
            .executeTakeFirstOrThrow();
          const perm: Permission =
            step.kind === 'read'
              ? 'users:read'
              : step.kind === 'suspend'
                ? 'users:suspend'
                : step.kind === 'reactivate'
                  ? 'users:reactivate'
                  : 'users:change_role';
          const allowed = w.mayUse(m.id, m.role, perm, target.id, step.kind !== 'read');
          const got = await attempt(() =>
            step.kind === 'read'
              ? getUser(ctx, target.id)
              : step.kind === 'suspend'
                ? suspendUser(ctx, { userId: target.id, reason: 'property' })
                : step.kind === 'reactivate'
                  ? reactivateUser(ctx, { userId: target.id })
                  : changeUserRole(ctx, { userId: target.id, role: step.role }),
          );
          if (step.kind === 'role' && got === null) {
            const mine = permissionsOf(m.role);
            expect(
              [...permissionsOf(step.role)].every((q) => mine.has(q)),
              'granted what it does not hold',
            ).toBe(true);
            expect([...permissionsOf(before.role as RoleKey)].every((q) => mine.has(q))).toBe(true);
          }
          if (allowed) {
            expect(got, `${step.kind} refused inside scope`).not.toBe('FORBIDDEN');
          } else {
            // Out of scope is FORBIDDEN; a role change may be refused first for the role it asks for.
            const refusals = step.kind === 'role' ? ['FORBIDDEN', 'ROLE_NOT_GRANTABLE'] : ['FORBIDDEN'];
            expect(refusals, `${step.kind} allowed outside scope (got ${got})`).toContain(got);
            const after = await s.db
              .selectFrom('users')
              .select(['role', 'status', 'version'])
              .where('id', '=', target.id)
              .executeTakeFirstOrThrow();
            expect(after).toEqual(before);
          }
        }
        // The seat ledger the cost report reads (trigger-written) agrees with the users rows after it all.
        const bySeat = (xs: { departmentId: string; status: string }[]) =>
          [...xs].sort((a, b) =>
            `${a.departmentId}${a.status}`.localeCompare(`${b.departmentId}${b.status}`),
          );
        expect(bySeat(await seatCounts(s.db, org.id, null, null))).toEqual(
          bySeat(await seatCountsFromUsers(s.db, org.id, null)),
        );
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 25) },
    );
  }, 240_000);
});
