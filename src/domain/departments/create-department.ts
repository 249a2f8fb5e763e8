import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defaultManagerPermissions } from '../../authz/access.js';
import { accessOf } from '../../authz/load-access.js';
import { authorize } from '../../authz/authorize.js';
import type { DepartmentRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { externalIdRace } from '../users/update-user-profile.js';
import {
  checkCodeFree,
  checkExternalIdFree,
  departmentExternalIdIndex,
  departmentFields,
  loadLiveDepartment,
  lockTree,
  pathUnder,
} from './department-record.js';
import {
  addedPermissionsField,
  assertHeldOrgWide,
  changedPermissions,
  managerPermissionsField,
} from './department-permissions.js';

export const createDepartmentInput = z
  .object({
    ...departmentFields,
    /** The parent department; a root when absent. */
    parentId: z.string().max(64).nullish(),
    /** Platform permissions for the members of the new department and its subtree; none when absent. */
    addedPermissions: addedPermissionsField.nullish(),
    /** What its managers may do over its subtree; the default set when absent or null. */
    managerPermissions: managerPermissionsField.nullish(),
  })
  .strict();

/**
 * Creates a department under a live parent of the organisation (or as a root). Permissions it adds, and a
 * manager set that differs from the default, must be held org-wide by the actor (PERMISSION_NOT_HELD).
 */
export async function createDepartment(
  ctx: CommandContext,
  raw: z.input<typeof createDepartmentInput>,
): Promise<DepartmentRow> {
  authorize(ctx.actor, 'departments:manage');
  const input = parseInput(createDepartmentInput, raw);
  const added = input.addedPermissions ?? [];
  const managerSet = input.managerPermissions ?? null;
  const access = await accessOf(ctx);
  assertHeldOrgWide(access, 'addedPermissions', added);
  if (managerSet) {
    assertHeldOrgWide(
      access,
      'managerPermissions',
      changedPermissions(defaultManagerPermissions, managerSet),
    );
  }
  const orgId = ctx.actor.orgId;
  const write = () =>
    withTransaction(ctx.db, async ({ trx }) => {
      const now = ctx.clock.now();
      await lockTree(trx, orgId);
      const parent = input.parentId ? await loadLiveDepartment(trx, orgId, input.parentId, 'parentId') : null;
      if (input.code) await checkCodeFree(trx, orgId, input.code);
      if (input.externalId) await checkExternalIdFree(trx, orgId, input.externalId);
      const id = randomUUID();
      const row = await trx
        .insertInto('departments')
        .values({
          id,
          org_id: orgId,
          name: input.name,
          code: input.code || null,
          description: input.description || null,
          parent_id: parent?.id ?? null,
          cost_centre: input.costCentre || null,
          monthly_cost_per_seat: input.monthlyCostPerSeat ?? null,
          path: pathUnder(parent, id),
          depth: parent ? parent.depth + 1 : 0,
          added_permissions: added,
          manager_permissions: managerSet,
          external_id: input.externalId ?? null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAuditEvent(
        trx,
        orgId,
        { actor: ctx.actor, meta: ctx.meta, now },
        {
          action: 'department.created',
          targetType: 'department',
          targetId: id,
          changes: {
            name: row.name,
            code: row.code,
            parentId: row.parent_id,
            costCentre: row.cost_centre,
            monthlyCostPerSeat: row.monthly_cost_per_seat,
            addedPermissions: added,
            // null: the default manager set
            managerPermissions: managerSet,
            ...(row.external_id ? { externalId: row.external_id } : {}),
          },
        },
      );
      return row;
    });
  return externalIdRace(write, departmentExternalIdIndex);
}
