import { describe, expect, it } from 'vitest';
import type { Actor } from '../domain/shared/context.js';
import {
  accessFor,
  defaultManagerPermissions,
  holdsAnywhere,
  managerPermissionsOf,
  mayActOn,
  mayActOnRole,
  missingForPlacement,
  rankingPermissions,
  reachesDepartment,
  reachOf,
  type ManagedScope,
  type TargetUser,
} from './access.js';
import type { Permission } from './permissions.js';
import { roleKeys, type RoleKey } from './roles.js';
import { mayActOnRoles } from '../../test/support/role-ranks.js';

/*
 * The tree of these tests, as materialised paths: root > a > a1, a > a2, root > b.
 */
const root = 'r0000000-0000-4000-8000-000000000000/';
const a = `${root}a0000000-0000-4000-8000-000000000000/`;
const a1 = `${a}a1000000-0000-4000-8000-000000000000/`;
const a2 = `${a}a2000000-0000-4000-8000-000000000000/`;
const b = `${root}b0000000-0000-4000-8000-000000000000/`;

const user = (role: RoleKey, userId = 'actor'): Actor => ({
  type: 'user',
  userId,
  orgId: 'org',
  role,
  sessionId: 's',
});
const system: Actor = { type: 'system', orgId: 'org', name: 'cli' };

function scope(path: string, permissions: readonly Permission[] = defaultManagerPermissions): ManagedScope {
  return { departmentId: path, departmentName: path, path, permissions: new Set(permissions) };
}
const target = (primaryPath: string | null, role: RoleKey = 'viewer'): TargetUser => ({
  id: 'target',
  role,
  primaryPath,
});

describe('mayActOn', () => {
  const managerOfA = accessFor(user('analyst'), [scope(a)]);

  it('lets org-wide holders act anywhere, on users whose role ranks no higher than theirs', () => {
    const admin = accessFor(user('administrator'));
    expect(mayActOn(admin, 'users:suspend', target(null, 'owner'), 'write')).toBe(false);
    expect(mayActOn(admin, 'users:suspend', target(null, 'owner'), 'read')).toBe(true);
    expect(mayActOn(admin, 'users:suspend', target(null, 'administrator'), 'write')).toBe(true);
    expect(mayActOn(admin, 'users:suspend', target(b), 'write')).toBe(true);
    expect(mayActOn(accessFor(system), 'users:deactivate', target(null, 'owner'), 'write')).toBe(true);
  });

  it('lets a manager read and write users whose primary department is in the managed subtree', () => {
    for (const path of [a, a1, a2]) {
      expect(mayActOn(managerOfA, 'users:read', target(path), 'read')).toBe(true);
      expect(mayActOn(managerOfA, 'users:suspend', target(path), 'write')).toBe(true);
    }
  });

  it('refuses users in the parent, in another branch, and users without a primary department', () => {
    for (const t of [target(root), target(b), target(null)]) {
      expect(mayActOn(managerOfA, 'users:read', t, 'read')).toBe(false);
      expect(mayActOn(managerOfA, 'users:suspend', t, 'write')).toBe(false);
    }
  });

  it('compares whole path segments: a department whose id starts like the managed one is not inside', () => {
    const lookalike = `${root}a0000000-0000-4000-8000-000000000000x/`;
    expect(mayActOn(managerOfA, 'users:read', target(lookalike), 'read')).toBe(false);
  });

  it('refuses a permission the manager set does not carry', () => {
    expect(mayActOn(managerOfA, 'users:deactivate', target(a1), 'write')).toBe(false);
    expect(mayActOn(managerOfA, 'users:update', target(a1), 'write')).toBe(false);
    expect(mayActOn(managerOfA, 'sessions:read', target(a1), 'read')).toBe(false);
    const custom = accessFor(user('analyst'), [scope(a, ['users:read', 'users:deactivate'])]);
    expect(mayActOn(custom, 'users:deactivate', target(a1), 'write')).toBe(true);
    expect(mayActOn(custom, 'users:suspend', target(a1), 'write')).toBe(false);
  });

  it('caps writes, not reads, by the roles the actor could grant', () => {
    for (const role of ['administrator', 'owner', 'user_manager', 'investigator'] as const) {
      expect(mayActOn(managerOfA, 'users:read', target(a1, role), 'read')).toBe(true);
      expect(mayActOn(managerOfA, 'users:suspend', target(a1, role), 'write')).toBe(false);
    }
    for (const role of ['viewer', 'analyst'] as const) {
      expect(mayActOn(managerOfA, 'users:change_role', target(a1, role), 'write')).toBe(true);
    }
    // a target with a role that does not exist is never writable through scope
    expect(mayActOn(managerOfA, 'users:suspend', { ...target(a1), role: 'Viewer' }, 'write')).toBe(false);
  });

  it('uses, per subtree, the set of the department managed', () => {
    const two = accessFor(user('analyst'), [scope(a1, ['users:read']), scope(b)]);
    expect(mayActOn(two, 'users:suspend', target(a1), 'write')).toBe(false);
    expect(mayActOn(two, 'users:suspend', target(b), 'write')).toBe(true);
    expect(mayActOn(two, 'users:read', target(a2), 'read')).toBe(false);
  });
});

describe('reach and holding', () => {
  it('gives the organisation to org-wide holders and the carrying subtrees to managers', () => {
    const admin = accessFor(user('user_manager'));
    expect(reachOf(admin, 'users:read')).toBe('organization');
    const m = accessFor(user('viewer'), [scope(a), scope(b, ['users:read'])]);
    expect(reachOf(m, 'users:read')).toEqual([a, b]);
    expect(reachOf(m, 'users:suspend')).toEqual([a]);
    expect(reachOf(m, 'users:deactivate')).toEqual([]);
    expect(reachOf(accessFor(user('viewer')), 'users:read')).toEqual([]);
  });

  it('holds a permission anywhere when org-wide or over some subtree', () => {
    const m = accessFor(user('viewer'), [scope(a)]);
    expect(holdsAnywhere(m, 'users:invite')).toBe(true);
    expect(holdsAnywhere(m, 'users:deactivate')).toBe(false);
    expect(holdsAnywhere(m, 'investigations:read')).toBe(true);
    expect(holdsAnywhere(accessFor(user('viewer')), 'users:read')).toBe(false);
  });

  it('tells whether a department lies in the reach', () => {
    const m = accessFor(user('viewer'), [scope(a)]);
    expect(reachesDepartment(m, 'users:invite', a1)).toBe(true);
    expect(reachesDepartment(m, 'users:invite', a)).toBe(true);
    expect(reachesDepartment(m, 'users:invite', root)).toBe(false);
    expect(reachesDepartment(m, 'users:invite', b)).toBe(false);
    expect(reachesDepartment(accessFor(user('administrator')), 'users:invite', b)).toBe(true);
  });

  it('gives the system actor everything and no managed scope', () => {
    const s = accessFor(system, [scope(a)]);
    expect(s.managed).toEqual([]);
    expect(reachOf(s, 'users:deactivate')).toBe('organization');
  });
});

describe('manager sets and department permissions', () => {
  it('reads the stored manager set, the default for null, and ignores what a manager may not get', () => {
    expect([...managerPermissionsOf(null)].sort()).toEqual([...defaultManagerPermissions].sort());
    expect([...managerPermissionsOf(['users:read', 'audit:read', 'nonsense', 'users:deactivate'])]).toEqual([
      'users:read',
      'users:deactivate',
    ]);
    expect(managerPermissionsOf([]).size).toBe(0);
  });

  it('adds the permissions of the actor’s departments to its org-wide set, not to what it may grant', () => {
    const v = accessFor(user('viewer'), [], ['investigations:export']);
    expect(v.orgWide.has('investigations:export')).toBe(true);
    expect(v.orgWide.has('investigations:read')).toBe(true);
    expect(accessFor(user('viewer')).orgWide.has('investigations:export')).toBe(false);
  });

  it('lists the department permissions a placement would hand out that the actor lacks', () => {
    const um = accessFor(user('user_manager'));
    expect(
      missingForPlacement(um, ['investigations:export', 'reports:read', 'investigations:export']),
    ).toEqual(['investigations:export']);
    expect(missingForPlacement(accessFor(user('administrator')), ['investigations:export'])).toEqual([]);
    expect(
      missingForPlacement(accessFor(user('viewer'), [], ['investigations:export']), [
        'investigations:export',
      ]),
    ).toEqual([]);
    expect(missingForPlacement(um, [])).toEqual([]);
  });
});

describe('mayActOnRole', () => {
  it('follows the table for every actor role x target role, org-wide or scoped', () => {
    for (const actorRole of roleKeys) {
      for (const targetRole of roleKeys) {
        const expected = mayActOnRoles[actorRole].includes(targetRole);
        const access = accessFor(user(actorRole));
        expect({ actorRole, targetRole, may: mayActOnRole(access, targetRole) }).toEqual({
          actorRole,
          targetRole,
          may: expected,
        });
        // The cap holds whatever the reach: an org-wide holder of the permission is capped too.
        if (access.orgWide.has('users:suspend')) {
          expect(mayActOn(access, 'users:suspend', target(null, targetRole), 'write')).toBe(expected);
        }
      }
    }
  });

  it('acts on owners only as an owner (or the system), and refuses unknown roles', () => {
    for (const r of roleKeys) expect(mayActOnRole(accessFor(user(r)), 'owner')).toBe(r === 'owner');
    expect(mayActOnRole(accessFor(system), 'owner')).toBe(true);
    expect(mayActOnRole(accessFor(user('owner')), ' owner')).toBe(false);
    expect(mayActOnRole(accessFor(system), 'nobody')).toBe(true);
  });

  it('ranks by administration only: platform permissions, even added by a department, do not rank', () => {
    expect(rankingPermissions.some((p) => /^(investigations|documents|reports|api):/.test(p))).toBe(false);
    expect(rankingPermissions).toContain('organization:manage_ownership');
    // a department adding api:access to the actor changes nothing about whom it may act on
    const withApi = accessFor(user('security_officer'), [], ['api:access']);
    expect(roleKeys.filter((r) => mayActOnRole(withApi, r))).toEqual(
      roleKeys.filter((r) => mayActOnRoles.security_officer.includes(r)),
    );
  });

  it('caps a manager by the role it could grant (stricter, decision 0004) and by rank', () => {
    const viewerManager = accessFor(user('viewer'), [scope(a, ['users:suspend'])]);
    // ranks no higher, but a viewer could not grant the investigator role: refused through scope
    expect(mayActOnRole(viewerManager, 'investigator')).toBe(true);
    expect(mayActOn(viewerManager, 'users:suspend', target(a1, 'investigator'), 'write')).toBe(false);
    expect(mayActOn(viewerManager, 'users:suspend', target(a1, 'viewer'), 'write')).toBe(true);
    expect(mayActOn(viewerManager, 'users:suspend', target(a1, 'owner'), 'write')).toBe(false);
  });
});
