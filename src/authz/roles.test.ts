import { describe, expect, it } from 'vitest';
import { allPermissions } from './permissions.js';
import { canGrantRole, compareRoles, isDowngrade, isRoleKey, permissionsOf, roleKeys } from './roles.js';

describe('roles', () => {
  it('owner holds every permission and administrator all but ownership management', () => {
    expect([...permissionsOf('owner')].sort()).toEqual([...allPermissions].sort());
    expect(compareRoles('owner', 'administrator')).toMatchObject({
      lost: ['organization:manage_ownership'],
      gained: [],
    });
  });

  it('compareRoles partitions the union of both roles into gained, lost and kept', () => {
    for (const a of roleKeys) {
      for (const b of roleKeys) {
        const { gained, lost, kept } = compareRoles(a, b);
        const union = new Set([...permissionsOf(a), ...permissionsOf(b)]);
        expect(new Set([...gained, ...lost, ...kept])).toEqual(union);
        expect(gained.length + lost.length + kept.length).toBe(union.size);
        for (const p of gained) expect(permissionsOf(a).has(p) || !permissionsOf(b).has(p)).toBe(false);
        for (const p of lost) expect(permissionsOf(b).has(p) || !permissionsOf(a).has(p)).toBe(false);
        expect(isDowngrade(a, b)).toBe(lost.length > 0);
      }
    }
  });

  it('gives a concrete diff for an analyst promoted to investigator', () => {
    const d = compareRoles('analyst', 'investigator');
    expect(d.gained).toEqual([
      'investigations:create',
      'investigations:update',
      'investigations:export',
      'documents:create',
      'documents:update',
      'api:access',
    ]);
    expect(d.lost).toEqual(['reports:export']);
    expect(d.kept).toEqual(['investigations:read', 'documents:read', 'reports:read', 'reports:create']);
  });

  it('grants only roles whose permissions are a subset of the actor’s', () => {
    for (const actor of roleKeys) {
      for (const role of roleKeys) {
        const subset = [...permissionsOf(role)].every((p) => permissionsOf(actor).has(p));
        expect(canGrantRole(actor, role)).toBe(subset);
      }
    }
    expect(canGrantRole('administrator', 'owner')).toBe(false);
    expect(canGrantRole('user_manager', 'viewer')).toBe(true);
    expect(canGrantRole('user_manager', 'administrator')).toBe(false);
    expect(canGrantRole('security_officer', 'viewer')).toBe(false);
  });

  it('accepts role keys only exactly as written', () => {
    expect(isRoleKey('owner')).toBe(true);
    for (const bad of [' owner', 'owner ', 'Owner', 'OWNER', 'toString', '__proto__', 'constructor', '']) {
      expect(isRoleKey(bad)).toBe(false);
    }
  });
});
