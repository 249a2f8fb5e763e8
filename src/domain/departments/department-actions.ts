import { managerPermissionsOf, reachesDepartment, type Access } from '../../authz/access.js';
import { can } from '../../authz/authorize.js';
import { accessOf } from '../../authz/load-access.js';
import type { DepartmentRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { notHeldOrgWide } from './department-permissions.js';

/** Which department commands the viewer may use on one department now. The console shows only these. */
export interface DepartmentActions {
  /** `updateDepartment` (name, code, description, cost fields). */
  update: boolean;
  /** `createDepartment` with this department as the parent. */
  createChild: boolean;
  /** `moveDepartment` (some destinations may still be refused: DEPARTMENT_PERMISSION_NOT_HELD, DEPARTMENT_CYCLE). */
  move: boolean;
  /** `archiveDepartment`: false while it has live sub-departments (DEPARTMENT_NOT_EMPTY). */
  archive: boolean;
  /** `setDepartmentManagers` naming a new manager: needs the department's manager set held org-wide. */
  setManagers: boolean;
  /** `updateDepartment` of the added and manager permissions (only those held org-wide may change). */
  setPermissions: boolean;
  /** `setUserDepartments` into this department: `users:update` reaching it (org-wide or as its manager). */
  placeMembers: boolean;
  /** `inviteUsers` into this department: `users:invite` reaching it. */
  inviteMembers: boolean;
}

export const noDepartmentActions: DepartmentActions = {
  update: false,
  createChild: false,
  move: false,
  archive: false,
  setManagers: false,
  setPermissions: false,
  placeMembers: false,
  inviteMembers: false,
};

/**
 * What the actor may do to a department, by the checks the commands make (pure): `departments:manage` from
 * the role (`authorize`, as every department command), the manager set held org-wide (`notHeldOrgWide`, as
 * `setDepartmentManagers`), a live department for children, placements and invitations, and the reach of
 * `users:update` / `users:invite` over its path (`reachesDepartment`, as `setUserDepartments` and
 * `inviteUsers`).
 */
export function allowedDepartmentActions(
  access: Access,
  department: DepartmentRow,
  hasLiveChildren: boolean,
): DepartmentActions {
  if (department.org_id !== access.actor.orgId) return { ...noDepartmentActions };
  const manage = can(access.actor, 'departments:manage');
  const live = department.archived_at === null;
  return {
    update: manage,
    createChild: manage && live,
    move: manage,
    archive: manage && live && !hasLiveChildren,
    setManagers:
      manage &&
      live &&
      notHeldOrgWide(access, managerPermissionsOf(department.manager_permissions)).length === 0,
    setPermissions: manage,
    placeMembers: live && reachesDepartment(access, 'users:update', department.path),
    inviteMembers: live && reachesDepartment(access, 'users:invite', department.path),
  };
}

/**
 * `allowedDepartmentActions` for many departments at once (a whole tree): the viewer's access is loaded
 * once per request, and which departments have live children in one query — only for a viewer who may
 * manage departments (for everyone else `archive` is false anyway).
 */
export async function departmentActionsOf(
  ctx: CommandContext,
  departments: readonly DepartmentRow[],
): Promise<DepartmentActions[]> {
  const access = await accessOf(ctx);
  const orgId = ctx.actor.orgId;
  const candidates = can(ctx.actor, 'departments:manage')
    ? [...new Set(departments.filter((d) => d.org_id === orgId && !d.archived_at).map((d) => d.id))]
    : [];
  const parents = new Set<string>();
  if (candidates.length > 0) {
    // A few departments: just theirs; a large part of the tree: every live parent of the organisation.
    let q = ctx.db
      .selectFrom('departments')
      .select('parent_id')
      .distinct()
      .where('org_id', '=', orgId)
      .where('archived_at', 'is', null)
      .where('parent_id', 'is not', null);
    if (candidates.length <= 500) q = q.where('parent_id', 'in', candidates);
    const rows = await q.execute();
    for (const r of rows) if (r.parent_id) parents.add(r.parent_id);
  }
  return departments.map((d) => allowedDepartmentActions(access, d, parents.has(d.id)));
}
