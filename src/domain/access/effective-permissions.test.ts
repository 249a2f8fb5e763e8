import { describe, expect, it } from 'vitest';
import { defaultManagerPermissions } from '../../authz/access.js';
import { allPermissions } from '../../authz/permissions.js';
import { permissionsOf } from '../../authz/roles.js';
import {
  compareEffectivePermissions,
  effectivePermissions,
  type DepartmentFacts,
  type EffectivePermission,
} from './effective-permissions.js';

function dept(
  id: string,
  parent: DepartmentFacts | null,
  o: { added?: string[]; manager?: string[] | null; archived?: boolean } = {},
): DepartmentFacts {
  return {
    id,
    name: id,
    path: `${parent?.path ?? ''}${id}/`,
    archived_at: o.archived ? new Date('2026-01-01T00:00:00Z') : null,
    added_permissions: o.added ?? [],
    manager_permissions: o.manager ?? null,
  };
}

/** Directorate > Fraud Unit (adds investigations:export) > Team; Registry (adds documents:create). */
const directorate = dept('directorate', null, { added: ['reports:export'] });
const fraud = dept('fraud', directorate, { added: ['investigations:export'] });
const team = dept('team', fraud);
const registry = dept('registry', null, { added: ['documents:create'] });
const all = [directorate, fraud, team, registry];

const find = (list: EffectivePermission[], p: string) => list.find((e) => e.permission === p);
const names = (list: EffectivePermission[]) => list.map((e) => e.permission);

describe('effectivePermissions', () => {
  it('gives the role’s permissions org-wide, each with the role as its only source, in catalogue order', () => {
    const out = effectivePermissions({
      role: 'analyst',
      memberships: [],
      managedDepartmentIds: [],
      departments: [],
    });
    expect(names(out)).toEqual(allPermissions.filter((p) => permissionsOf('analyst').has(p)));
    for (const e of out) {
      expect(e.scope).toEqual({ kind: 'organization' });
      expect(e.sources).toEqual([{ kind: 'role', role: 'analyst' }]);
    }
  });

  it('inherits a department permission from an ancestor of the membership, named with both departments', () => {
    const out = effectivePermissions({
      role: 'viewer',
      memberships: [{ departmentId: team.id, isPrimary: true }],
      managedDepartmentIds: [],
      departments: all,
    });
    expect(find(out, 'investigations:export')).toEqual({
      permission: 'investigations:export',
      scope: { kind: 'organization' },
      sources: [{ kind: 'department', department: fraud, through: team, membership: 'primary' }],
    });
    expect(find(out, 'reports:export')?.sources).toEqual([
      { kind: 'department', department: directorate, through: team, membership: 'primary' },
    ]);
    expect(find(out, 'documents:create')).toBeUndefined();
    expect(names(out)).toEqual(
      allPermissions.filter((p) => names(out).includes(p)), // still catalogue order
    );
  });

  it('counts a secondary membership (collaboration access), primary sources first', () => {
    const out = effectivePermissions({
      role: 'viewer',
      memberships: [
        { departmentId: fraud.id, isPrimary: false },
        { departmentId: registry.id, isPrimary: false },
        { departmentId: team.id, isPrimary: true },
      ],
      managedDepartmentIds: [],
      departments: all,
    });
    expect(find(out, 'documents:create')?.sources).toEqual([
      { kind: 'department', department: registry, through: registry, membership: 'secondary' },
    ]);
    expect(find(out, 'investigations:export')?.sources).toEqual([
      { kind: 'department', department: fraud, through: team, membership: 'primary' },
      { kind: 'department', department: fraud, through: fraud, membership: 'secondary' },
    ]);
  });

  it('gives nothing from an archived department, as a member, as an ancestor or as a managed one', () => {
    const archivedFraud = dept('fraud', directorate, { added: ['investigations:export'], archived: true });
    const archivedRegistry = dept('registry', null, { added: ['documents:create'], archived: true });
    const out = effectivePermissions({
      role: 'viewer',
      memberships: [
        { departmentId: team.id, isPrimary: true },
        { departmentId: archivedRegistry.id, isPrimary: false },
      ],
      managedDepartmentIds: [archivedFraud.id],
      departments: [directorate, archivedFraud, team, archivedRegistry],
    });
    expect(find(out, 'investigations:export')).toBeUndefined();
    expect(find(out, 'documents:create')).toBeUndefined();
    expect(find(out, 'users:read')).toBeUndefined();
    // A live ancestor above the archived one still gives its own.
    expect(find(out, 'reports:export')?.sources).toEqual([
      { kind: 'department', department: directorate, through: team, membership: 'primary' },
    ]);
  });

  it('lists the role and the department when both give a permission', () => {
    const out = effectivePermissions({
      role: 'investigator',
      memberships: [{ departmentId: team.id, isPrimary: true }],
      managedDepartmentIds: [],
      departments: all,
    });
    expect(find(out, 'investigations:export')).toEqual({
      permission: 'investigations:export',
      scope: { kind: 'organization' },
      sources: [
        { kind: 'role', role: 'investigator' },
        { kind: 'department', department: fraud, through: team, membership: 'primary' },
      ],
    });
  });

  it('scopes a manager permission to the managed subtrees, unless the user also holds it org-wide', () => {
    const narrow = dept('narrow', null, { manager: ['users:read', 'users:deactivate'] });
    const out = effectivePermissions({
      role: 'auditor',
      memberships: [],
      managedDepartmentIds: [team.id, fraud.id, narrow.id],
      departments: [...all, narrow],
    });
    // The default set for Fraud Unit and Team; Fraud (shorter path) first.
    expect(find(out, 'users:suspend')).toEqual({
      permission: 'users:suspend',
      scope: { kind: 'subtree', departments: [fraud, team] },
      sources: [
        { kind: 'manager', department: fraud },
        { kind: 'manager', department: team },
      ],
    });
    expect(find(out, 'users:deactivate')).toEqual({
      permission: 'users:deactivate',
      scope: { kind: 'subtree', departments: [narrow] },
      sources: [{ kind: 'manager', department: narrow }],
    });
    // The auditor reads users everywhere: organisation scope, both sources named.
    expect(find(out, 'users:read')).toEqual({
      permission: 'users:read',
      scope: { kind: 'organization' },
      sources: [
        { kind: 'role', role: 'auditor' },
        { kind: 'manager', department: fraud },
        { kind: 'manager', department: team },
        { kind: 'manager', department: narrow },
      ],
    });
    const managerOnly = out
      .filter((e) => e.sources.every((s) => s.kind === 'manager'))
      .map((e) => e.permission);
    expect(managerOnly).toEqual(
      allPermissions.filter(
        (p) =>
          !permissionsOf('auditor').has(p) &&
          ((defaultManagerPermissions as readonly string[]).includes(p) || p === 'users:deactivate'),
      ),
    );
  });

  it('ignores unknown permission names and gives nothing for an unknown role', () => {
    const odd = dept('odd', null, { added: ['investigations:export', 'nonsense:do'] });
    const out = effectivePermissions({
      role: 'superuser',
      memberships: [{ departmentId: odd.id, isPrimary: true }],
      managedDepartmentIds: [],
      departments: [odd],
    });
    expect(names(out)).toEqual(['investigations:export']);
  });
});

describe('compareEffectivePermissions', () => {
  it('keeps a permission the new role lacks when a department still gives it, with that source', () => {
    const facts = {
      memberships: [{ departmentId: team.id, isPrimary: true }],
      managedDepartmentIds: [],
      departments: all,
    };
    const before = effectivePermissions({ ...facts, role: 'investigator' });
    const after = effectivePermissions({ ...facts, role: 'viewer' });
    const change = compareEffectivePermissions(before, after);
    expect(names(change.gained)).toEqual([]);
    expect(names(change.lost)).toEqual([
      'investigations:create',
      'investigations:update',
      'documents:create',
      'documents:update',
      'reports:create',
      'api:access',
    ]);
    expect(find(change.lost, 'api:access')?.sources).toEqual([{ kind: 'role', role: 'investigator' }]);
    expect(find(change.kept, 'investigations:export')?.sources).toEqual([
      { kind: 'department', department: fraud, through: team, membership: 'primary' },
    ]);
    expect(names(change.kept)).toEqual([
      'investigations:read',
      'investigations:export',
      'documents:read',
      'reports:read',
      'reports:export',
    ]);
  });
});
