import { departmentPermissionChoices, missingForPlacement, type Access } from '../../authz/access.js';
import { addedPermissionsAt } from '../../authz/load-access.js';
import type { Permission } from '../../authz/permissions.js';
import type { Tx } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import type { Membership } from './memberships.js';

/** The permissions a set of memberships brings: the union of what each (live) department adds. Pure. */
export function permissionsBrought(
  memberships: readonly Membership[],
  addedBy: ReadonlyMap<string, readonly Permission[]>,
): Set<Permission> {
  return new Set(memberships.flatMap((m) => addedBy.get(m.departmentId) ?? []));
}

/** What a user gains or loses among department-added permissions when `from` becomes `to`. Pure. */
export function placementChange(
  from: readonly Membership[],
  to: readonly Membership[],
  addedBy: ReadonlyMap<string, readonly Permission[]>,
): Permission[] {
  const before = permissionsBrought(from, addedBy);
  const after = permissionsBrought(to, addedBy);
  return [...new Set([...before, ...after])].filter((p) => before.has(p) !== after.has(p));
}

/**
 * Refuses (DEPARTMENT_PERMISSION_NOT_HELD, with the field of a membership that brings one of them and the
 * `missing` permissions) a change of a user's memberships from `current` to `next` that hands the user, or
 * takes away, a permission some department adds for its members (`added_permissions`, inherited down the
 * tree) that the actor does not hold itself. Only the net change counts: moving a user between two
 * departments that add the same permission hands out nothing. An actor holding every permission a
 * department may add (an administrator) is not asked to and costs no query.
 */
export async function checkPlacementPermissions(
  trx: Tx,
  access: Access,
  orgId: string,
  current: readonly Membership[],
  next: readonly Membership[],
  fieldOf: (membership: Membership) => string,
): Promise<void> {
  if (missingForPlacement(access, departmentPermissionChoices).length === 0) return;
  const before = new Set(current.map((m) => m.departmentId));
  const after = new Set(next.map((m) => m.departmentId));
  if (before.size === after.size && [...before].every((id) => after.has(id))) return;
  const rows = await trx
    .selectFrom('departments')
    .select(['id', 'path'])
    .where('org_id', '=', orgId)
    .where('id', 'in', [...new Set([...before, ...after])])
    // An archived department adds nothing to its members (as in loadAccess).
    .where('archived_at', 'is', null)
    .execute();
  const addedBy = new Map<string, Permission[]>();
  for (const r of rows) addedBy.set(r.id, await addedPermissionsAt(trx, orgId, r.path));
  const missing = missingForPlacement(access, placementChange(current, next, addedBy));
  if (missing.length === 0) return;
  const culprit =
    [...next, ...current].find(
      (m) =>
        before.has(m.departmentId) !== after.has(m.departmentId) &&
        (addedBy.get(m.departmentId) ?? []).some((p) => missing.includes(p)),
    ) ?? next[0];
  throw new DomainError('DEPARTMENT_PERMISSION_NOT_HELD', undefined, {
    ...(culprit ? { field: fieldOf(culprit) } : {}),
    missing,
  });
}
