import { managerPermissionsOf } from '../../authz/access.js';
import { allPermissions, isPermission, type Permission } from '../../authz/permissions.js';
import { isRoleKey, permissionsOf, type RoleKey } from '../../authz/roles.js';
import type { DepartmentRow } from '../../db/schema.js';

/**
 * A user's effective permissions and where each comes from (issue 3, point 4). Pure: the caller loads the
 * facts (`load-effective-permissions.ts`). The rules are those of `authz/access.ts`:
 * - the role gives its permissions for the whole organisation;
 * - every live department on the path of a live membership (primary or secondary) adds its
 *   `added_permissions` for the whole organisation ("collaboration access");
 * - each live department the user manages gives its manager set over its subtree.
 */

/** What the function reads of a department; the output hands back the same objects. */
export type DepartmentFacts = Pick<
  DepartmentRow,
  'id' | 'name' | 'path' | 'archived_at' | 'added_permissions' | 'manager_permissions'
>;

export interface EffectivePermissionsInput<D extends DepartmentFacts = DepartmentFacts> {
  /** The user's role; an unknown role gives nothing. */
  role: string;
  memberships: readonly { departmentId: string; isPrimary: boolean }[];
  /** Ids of the departments the user manages. */
  managedDepartmentIds: readonly string[];
  /** Every department named above and every ancestor of a membership department; others are ignored. */
  departments: readonly D[];
}

export type PermissionScope<D> = { kind: 'organization' } | { kind: 'subtree'; departments: D[] };

export type PermissionSource<D> =
  | { kind: 'role'; role: RoleKey }
  /** `department` adds the permission; the user is a member of `through` (itself or a descendant). */
  | { kind: 'department'; department: D; through: D; membership: 'primary' | 'secondary' }
  | { kind: 'manager'; department: D };

export interface EffectivePermission<D = DepartmentFacts> {
  permission: Permission;
  scope: PermissionScope<D>;
  /** Role first, then departments (primary membership first, ancestors before descendants), then managers. */
  sources: PermissionSource<D>[];
}

const idsOnPath = (path: string) => path.split('/').filter(Boolean);

/** The user's effective permissions, in the order of `allPermissions`. Pure. */
export function effectivePermissions<D extends DepartmentFacts>(
  input: EffectivePermissionsInput<D>,
): EffectivePermission<D>[] {
  const byId = new Map(input.departments.map((d) => [d.id, d]));
  const live = (id: string) => {
    const d = byId.get(id);
    return d && d.archived_at === null ? d : undefined;
  };
  const sources = new Map<Permission, PermissionSource<D>[]>();
  const add = (p: Permission, s: PermissionSource<D>) => {
    const list = sources.get(p);
    if (list) list.push(s);
    else sources.set(p, [s]);
  };

  if (isRoleKey(input.role)) {
    const role = input.role;
    for (const p of permissionsOf(role)) add(p, { kind: 'role', role });
  }

  const memberships = [...input.memberships].sort(
    (a, b) =>
      Number(b.isPrimary) - Number(a.isPrimary) ||
      (byId.get(a.departmentId)?.path ?? '').localeCompare(byId.get(b.departmentId)?.path ?? ''),
  );
  for (const m of memberships) {
    const through = live(m.departmentId);
    if (!through) continue;
    const membership = m.isPrimary ? 'primary' : 'secondary';
    for (const id of idsOnPath(through.path)) {
      const department = live(id);
      if (!department) continue;
      for (const p of new Set(department.added_permissions)) {
        if (isPermission(p)) add(p, { kind: 'department', department, through, membership });
      }
    }
  }

  const managed = [...new Set(input.managedDepartmentIds)]
    .map(live)
    .filter((d): d is D => d !== undefined)
    .sort((a, b) => a.path.localeCompare(b.path));
  for (const department of managed) {
    for (const p of managerPermissionsOf(department.manager_permissions)) {
      add(p, { kind: 'manager', department });
    }
  }

  return allPermissions.flatMap((permission) => {
    const list = sources.get(permission);
    if (!list) return [];
    const orgWide = list.some((s) => s.kind !== 'manager');
    const scope: PermissionScope<D> = orgWide
      ? { kind: 'organization' }
      : {
          kind: 'subtree',
          departments: list.flatMap((s) => (s.kind === 'manager' ? [s.department] : [])),
        };
    return [{ permission, scope, sources: list }];
  });
}

/** A user's effective permissions before and after a role change, other sources unchanged. */
export interface EffectiveRoleChange<D = DepartmentFacts> {
  /** Held after and not before; as held after. */
  gained: EffectivePermission<D>[];
  /** Held before and not after; as held before. */
  lost: EffectivePermission<D>[];
  /** Held before and after; as held after (a department or manager source may be what keeps it). */
  kept: EffectivePermission<D>[];
}

/** Compares two effective permission lists (each in catalogue order). Pure. */
export function compareEffectivePermissions<D>(
  before: readonly EffectivePermission<D>[],
  after: readonly EffectivePermission<D>[],
): EffectiveRoleChange<D> {
  const had = new Set(before.map((e) => e.permission));
  const has = new Set(after.map((e) => e.permission));
  return {
    gained: after.filter((e) => !had.has(e.permission)),
    lost: before.filter((e) => !has.has(e.permission)),
    kept: after.filter((e) => had.has(e.permission)),
  };
}
