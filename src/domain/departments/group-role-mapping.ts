import { isPrivilegedRole } from '../../authz/privileged-roles.js';
import { canGrantRole, permissionsOf, roleKeys, type RoleKey } from '../../authz/roles.js';
import type { Membership } from './memberships.js';

/** The role a person falls back to when the last mapped group they were in lets go of them. */
export const unmappedRole: RoleKey = 'viewer';

export type RoleSource = 'manual' | 'group_mapping';

/**
 * Whether a department may map to this role: never a privileged one (authz/privileged-roles.ts), which a
 * person who re-authenticated grants, not a group. Checked when a mapping is set and again when it is
 * applied. Pure.
 */
export function groupMayGrant(role: RoleKey): boolean {
  return !isPrivilegedRole(role);
}

/**
 * The role a person's mapped groups give (issue 13, group→role mapping): of the roles their departments map
 * to, the one with the most permissions (roles are sets of permissions; ties go to the earlier role in the
 * catalogue). null: none of their departments maps to a role. Pure.
 */
export function mappedRoleOf(
  memberships: readonly Membership[],
  mapped: ReadonlyMap<string, RoleKey>,
): RoleKey | null {
  let best: RoleKey | null = null;
  for (const m of memberships) {
    const role = mapped.get(m.departmentId);
    if (role === undefined) continue;
    const wider = best === null || permissionsOf(role).size > permissionsOf(best).size;
    const tie =
      best !== null &&
      permissionsOf(role).size === permissionsOf(best).size &&
      roleKeys.indexOf(role) < roleKeys.indexOf(best);
    if (wider || tie) best = role;
  }
  return best;
}

/**
 * What a change of a person's mapped groups does to their role, or null for nothing. A mapping never takes
 * away what a person chose: it replaces a role a person gave only by one holding every permission of it
 * (an upgrade); a role a mapping gave follows the mappings, and falls back to `unmappedRole` when none is
 * left. Pure.
 */
export function mappedRoleChange(
  current: RoleKey,
  source: RoleSource,
  mappedNext: RoleKey | null,
): { to: RoleKey; source: RoleSource } | null {
  if (mappedNext !== null) {
    if (mappedNext === current) return null;
    if (source === 'group_mapping' || canGrantRole(mappedNext, current)) {
      return { to: mappedNext, source: 'group_mapping' };
    }
    return null;
  }
  if (source === 'group_mapping' && current !== unmappedRole) return { to: unmappedRole, source: 'manual' };
  return null;
}
