import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../domain/shared/context.js';
import {
  accessFor,
  managerPermissionChoices,
  managerPermissionsOf,
  mayActOn,
  reachOf,
  type ManagedScope,
} from './access.js';
import { allPermissions, type Permission } from './permissions.js';
import { permissionsOf, roleKeys, type RoleKey } from './roles.js';

/**
 * Property: for random trees, users, managers and permission sets, the scope rule never lets an actor use
 * a permission on a user outside its scope, never misses one inside it, and a write through manager scope
 * never reaches a user whose role the actor could not grant itself.
 *
 * The oracle is independent of the implementation: it walks parent pointers, while the code under test
 * compares materialised path prefixes.
 */

interface World {
  parents: (number | null)[];
  users: { role: RoleKey; primary: number | null }[];
  managers: { user: number; department: number; set: Permission[] | null }[];
}

const worldArb: fc.Arbitrary<World> = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.record({
    parents: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        i === 0 ? fc.constant(null) : fc.option(fc.integer({ min: 0, max: i - 1 }), { freq: 5 }),
      ),
    ),
    users: fc.array(
      fc.record({
        role: fc.constantFrom(...roleKeys),
        primary: fc.option(fc.integer({ min: 0, max: n - 1 }), { freq: 6 }),
      }),
      { minLength: 1, maxLength: 12 },
    ),
    managers: fc.array(
      fc.record({
        user: fc.nat(),
        department: fc.integer({ min: 0, max: n - 1 }),
        set: fc.option(fc.subarray([...managerPermissionChoices] as Permission[]), { freq: 2 }),
      }),
      { maxLength: 8 },
    ),
  }),
);

/** Paths built the way the product stores them: ancestors' ids then the own id, each followed by '/'. */
function pathsOf(parents: (number | null)[]): string[] {
  const paths: string[] = [];
  parents.forEach((p, i) => {
    paths[i] = `${p === null ? '' : paths[p]}d${i}/`;
  });
  return paths;
}

/** Oracle: is `ancestor` the department itself or above it, by walking parents. */
function isAncestorOrSelf(parents: (number | null)[], ancestor: number, d: number): boolean {
  for (let x: number | null = d; x !== null; x = parents[x] ?? null) if (x === ancestor) return true;
  return false;
}

function actorOf(i: number, role: RoleKey): Actor {
  return { type: 'user', userId: `u${i}`, orgId: 'org', role, sessionId: `s${i}` };
}

describe('scoped administration (property)', () => {
  it('grants exactly what the role gives org-wide plus what managed subtrees give, capped by grantable roles', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const paths = pathsOf(w.parents);
        const violations: unknown[] = [];
        w.users.forEach((actorUser, a) => {
          const mine = w.managers.filter((m) => m.user % w.users.length === a);
          const managed: ManagedScope[] = mine.map((m) => ({
            departmentId: `d${m.department}`,
            departmentName: `D${m.department}`,
            path: paths[m.department]!,
            permissions: managerPermissionsOf(m.set),
          }));
          const access = accessFor(actorOf(a, actorUser.role), managed);
          const rolePerms = permissionsOf(actorUser.role);
          w.users.forEach((target, t) => {
            const targetUser = {
              id: `u${t}`,
              role: target.role,
              primaryPath: target.primary === null ? null : paths[target.primary]!,
            };
            for (const p of allPermissions) {
              const covering = mine.some(
                (m) =>
                  managerPermissionsOf(m.set).has(p) &&
                  target.primary !== null &&
                  isAncestorOrSelf(w.parents, m.department, target.primary),
              );
              const grantable = [...permissionsOf(target.role)].every((q) => rolePerms.has(q));
              const expectRead = rolePerms.has(p) || covering;
              // Org-wide, a write is capped by rank: the target's role holds no administrative (non-platform)
              // permission the actor lacks (issue 10, point 7). Grantable implies that.
              const ranks = [...permissionsOf(target.role)]
                .filter((q) => !/^(investigations|documents|reports|api):/.test(q))
                .every((q) => rolePerms.has(q));
              const expectWrite = (rolePerms.has(p) && ranks) || (covering && grantable);
              const read = mayActOn(access, p, targetUser, 'read');
              const write = mayActOn(access, p, targetUser, 'write');
              if (read !== expectRead || write !== expectWrite) {
                violations.push({ actor: a, target: t, permission: p, read, write, expectRead, expectWrite });
              }
            }
          });
          // The reach used by lists is the managed subtrees that carry the permission, or the organisation.
          for (const p of allPermissions) {
            const reach = reachOf(access, p);
            if (rolePerms.has(p)) expect(reach).toBe('organization');
            else
              expect(reach).toEqual(
                mine.filter((m) => managerPermissionsOf(m.set).has(p)).map((m) => paths[m.department]),
              );
          }
        });
        expect(violations).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a user without a primary department is reached only by org-wide holders', () => {
    fc.assert(
      fc.property(fc.constantFrom(...roleKeys), fc.constantFrom(...allPermissions), (role, p) => {
        const access = accessFor(actorOf(0, role), [
          { departmentId: 'd0', departmentName: 'D0', path: 'd0/', permissions: new Set(allPermissions) },
        ]);
        const target = { id: 'u1', role: 'viewer', primaryPath: null };
        expect(mayActOn(access, p, target, 'read')).toBe(permissionsOf(role).has(p));
      }),
    );
  });
});
