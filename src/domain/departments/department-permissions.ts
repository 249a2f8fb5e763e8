import { z } from 'zod';
import {
  departmentPermissionChoices,
  managerPermissionChoices,
  managerPermissionsOf,
  type Access,
} from '../../authz/access.js';
import { allPermissions, isPermission, type Permission } from '../../authz/permissions.js';
import { DomainError } from '../errors.js';

/**
 * The two permission sets a department carries (docs/decisions/0004): `added_permissions`, platform
 * permissions its members and the members of its subtree hold; `manager_permissions`, what its managers may
 * do over its subtree (null: the default set). Nobody grants what they do not hold: whoever changes either
 * set, or names a manager, must hold the permissions concerned for the whole organisation.
 */

/** A list of permission names limited to `choices`; an unknown or disallowed name fails on the list itself. */
function permissionList(choices: readonly Permission[], what: string) {
  const allowed = new Set<string>(choices);
  return z
    .array(z.string().max(64))
    .max(allPermissions.length)
    .superRefine((list, ctx) => {
      const refused = [...new Set(list.filter((p) => !allowed.has(p)))];
      if (refused.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${refused.join(', ')} cannot be ${what}. Allowed: ${choices.join(', ')}.`,
        });
      }
    })
    .transform(inCatalogueOrder);
}

/** Platform permissions (investigations, documents, reports, api) a department adds for its members. */
export const addedPermissionsField = permissionList(departmentPermissionChoices, 'added by a department');

/** User administration permissions a department's managers may hold over its subtree. */
export const managerPermissionsField = permissionList(managerPermissionChoices, 'given to managers');

/** Deduplicated, unknown names dropped, in the catalogue's order (how the sets are stored and compared). Pure. */
export function inCatalogueOrder(list: Iterable<string>): Permission[] {
  const wanted = new Set(list);
  return allPermissions.filter((p) => wanted.has(p));
}

/** The stored added permissions of a department, as permissions in catalogue order. Pure. */
export function addedPermissionsOf(stored: readonly string[]): Permission[] {
  return inCatalogueOrder(stored.filter(isPermission));
}

/** The effective manager set of a department (its own, or the default when null), in catalogue order. Pure. */
export function effectiveManagerPermissions(stored: readonly string[] | null): Permission[] {
  return inCatalogueOrder(managerPermissionsOf(stored));
}

/** Permissions in one set and not the other, either way: what a change grants or takes away. Pure. */
export function changedPermissions(from: Iterable<string>, to: Iterable<string>): Permission[] {
  const a = new Set(from);
  const b = new Set(to);
  return allPermissions.filter((p) => a.has(p) !== b.has(p));
}

/** The permissions of `wanted` the actor does not hold for the whole organisation. Pure. */
export function notHeldOrgWide(access: Access, wanted: Iterable<Permission>): Permission[] {
  return inCatalogueOrder([...wanted].filter((p) => !access.orgWide.has(p)));
}

/** PERMISSION_NOT_HELD (naming the field and the permissions) unless the actor holds all of `wanted`. */
export function assertHeldOrgWide(access: Access, field: string, wanted: Iterable<Permission>): void {
  const missing = notHeldOrgWide(access, wanted);
  if (missing.length === 0) return;
  throw new DomainError(
    'PERMISSION_NOT_HELD',
    `You do not hold ${missing.join(', ')} for the whole organisation, so you cannot grant or take it away.`,
    { field, permissions: missing },
  );
}
