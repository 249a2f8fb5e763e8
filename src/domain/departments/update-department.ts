import { z } from 'zod';
import { managerPermissionsOf, type Access } from '../../authz/access.js';
import { isRoleKey } from '../../authz/roles.js';
import { DomainError } from '../errors.js';
import { assertCanGrant } from '../users/change-user-role.js';
import { authorize } from '../../authz/authorize.js';
import { accessOf } from '../../authz/load-access.js';
import type { DepartmentRow, DepartmentsTable } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import type { Updateable } from 'kysely';
import { recordAuditEvent, type FieldChanges } from '../audit/record-audit-event.js';
import type { CommandContext } from '../shared/context.js';
import { checkVersion } from '../shared/check-version.js';
import { parseInput } from '../shared/parse-input.js';
import { externalIdRace } from '../users/update-user-profile.js';
import { groupMayGrant } from './group-role-mapping.js';
import {
  bumpDepartmentVersion,
  checkCodeFree,
  checkExternalIdFree,
  departmentExternalIdIndex,
  departmentFields,
  loadDepartment,
} from './department-record.js';
import {
  addedPermissionsField,
  addedPermissionsOf,
  assertHeldOrgWide,
  changedPermissions,
  managerPermissionsField,
} from './department-permissions.js';

/** The allowlist: parent (moveDepartment) and archiving (archiveDepartment) have their own commands. */
export const updateDepartmentInput = z
  .object({
    departmentId: z.string().max(64),
    name: departmentFields.name.optional(),
    code: departmentFields.code,
    description: departmentFields.description,
    costCentre: departmentFields.costCentre,
    monthlyCostPerSeat: departmentFields.monthlyCostPerSeat,
    externalId: departmentFields.externalId,
    /**
     * The role SCIM membership of the department grants (a group→role mapping); null: none. Not a
     * privileged role; one the actor may grant, and the actor may change roles org-wide.
     */
    scimRole: z.string().max(64).nullish(),
    /** The complete list (replaces the current one); null or [] removes them all. */
    addedPermissions: addedPermissionsField.nullish(),
    /** The complete manager set; null goes back to the default set. */
    managerPermissions: managerPermissionsField.nullish(),
    expectedVersion: z.number().int().nullish(),
  })
  .strict();

const columns = {
  name: 'name',
  code: 'code',
  description: 'description',
  costCentre: 'cost_centre',
  monthlyCostPerSeat: 'monthly_cost_per_seat',
  externalId: 'external_id',
} as const;

/**
 * Changes a department's descriptive fields and its two permission sets. A field absent from the input is
 * kept; null clears it (for the manager set: back to the default). Every permission added to or removed
 * from either set must be held org-wide by the actor (PERMISSION_NOT_HELD).
 */
export async function updateDepartment(
  ctx: CommandContext,
  raw: z.input<typeof updateDepartmentInput>,
): Promise<DepartmentRow> {
  authorize(ctx.actor, 'departments:manage');
  const input = parseInput(updateDepartmentInput, raw);
  const access = await accessOf(ctx);
  const orgId = ctx.actor.orgId;
  const write = () =>
    withTransaction(ctx.db, async ({ trx }) => {
      const now = ctx.clock.now();
      const dept = await loadDepartment(trx, orgId, input.departmentId, { lock: true });
      checkVersion(dept, input.expectedVersion);
      const set: Updateable<DepartmentsTable> = {};
      const changes: FieldChanges = {};
      for (const [field, column] of Object.entries(columns) as [
        keyof typeof columns,
        (typeof columns)[keyof typeof columns],
      ][]) {
        const value = input[field];
        if (value === undefined) continue;
        const next = value === '' ? null : value;
        if (next === dept[column]) continue;
        changes[field] = { from: dept[column], to: next };
        (set as Record<string, unknown>)[column] = next;
      }
      if (input.addedPermissions !== undefined) {
        const from = addedPermissionsOf(dept.added_permissions);
        const to = input.addedPermissions ?? [];
        const changed = changedPermissions(from, to);
        if (changed.length > 0) {
          assertHeldOrgWide(access, 'addedPermissions', changed);
          changes.addedPermissions = { from, to };
          set.added_permissions = to;
        }
      }
      if (input.managerPermissions !== undefined) {
        // Stored as given: null is "the default set" (and follows the default if it ever changes).
        const from = dept.manager_permissions;
        const to = input.managerPermissions;
        if (JSON.stringify(from) !== JSON.stringify(to)) {
          const changed = changedPermissions(managerPermissionsOf(from), managerPermissionsOf(to));
          assertHeldOrgWide(access, 'managerPermissions', changed);
          changes.managerPermissions = { from, to };
          set.manager_permissions = to;
        }
      }
      if (input.scimRole !== undefined && input.scimRole !== dept.scim_role) {
        checkScimRole(ctx, access, dept.scim_role, input.scimRole);
        changes.scimRole = { from: dept.scim_role, to: input.scimRole };
        set.scim_role = input.scimRole;
      }
      if (Object.keys(changes).length === 0) return dept;
      if (typeof set.code === 'string' && !dept.archived_at)
        await checkCodeFree(trx, orgId, set.code, dept.id);
      if (typeof set.external_id === 'string' && !dept.archived_at) {
        await checkExternalIdFree(trx, orgId, set.external_id, dept.id);
      }
      const updated = await trx
        .updateTable('departments')
        .set({ ...set, updated_at: now, version: bumpDepartmentVersion })
        .where('org_id', '=', orgId)
        .where('id', '=', dept.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAuditEvent(
        trx,
        orgId,
        { actor: ctx.actor, meta: ctx.meta, now },
        { action: 'department.updated', targetType: 'department', targetId: dept.id, changes },
      );
      return updated;
    });
  return externalIdRace(write, departmentExternalIdIndex);
}

/**
 * A group→role mapping is a standing grant of a role: who sets or clears it changes roles org-wide and may
 * grant both the old and the new role; a privileged role is never granted by a group (a person who
 * re-authenticated grants it). Members' roles follow on their next SCIM membership change.
 */
function checkScimRole(ctx: CommandContext, access: Access, from: string | null, to: string | null): void {
  if (!access.orgWide.has('users:change_role')) {
    throw new DomainError('PERMISSION_NOT_HELD', undefined, {
      field: 'scimRole',
      permissions: ['users:change_role'],
    });
  }
  for (const role of [from, to]) {
    if (role === null) continue;
    if (!isRoleKey(role)) throw new DomainError('UNKNOWN_ROLE', undefined, { field: 'scimRole' });
    if (!groupMayGrant(role)) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'A privileged role is granted by a person, not by a group.',
        {
          field: 'scimRole',
        },
      );
    }
    assertCanGrant(ctx.actor, role, 'scimRole');
  }
}
