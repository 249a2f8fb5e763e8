import { z } from 'zod';
import { managerPermissionsOf } from '../../authz/access.js';
import { authorize } from '../../authz/authorize.js';
import { accessOf } from '../../authz/load-access.js';
import type { DepartmentRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { assertHeldOrgWide } from './department-permissions.js';
import { loadDepartment } from './department-record.js';

export const maxManagersPerDepartment = 50;

export const setDepartmentManagersInput = z
  .object({
    departmentId: z.string().max(64),
    /** The complete list of managers (replaces the current one); empty removes all. */
    userIds: z.array(z.string().max(64)).max(maxManagersPerDepartment),
  })
  .strict();

/**
 * Names the managers of a department: users of the organisation who are active or invited. Another
 * organisation's user answers NOT_FOUND like a missing one. Naming a new manager hands them the
 * department's whole manager set over its subtree, so the actor must hold that set org-wide
 * (PERMISSION_NOT_HELD); removing managers needs no more than `departments:manage`.
 */
export async function setDepartmentManagers(
  ctx: CommandContext,
  raw: z.input<typeof setDepartmentManagersInput>,
): Promise<DepartmentRow> {
  authorize(ctx.actor, 'departments:manage');
  const input = parseInput(setDepartmentManagersInput, raw);
  const access = await accessOf(ctx);
  const orgId = ctx.actor.orgId;
  const userIds = [...new Set(input.userIds)];
  return withTransaction(ctx.db, async ({ trx }) => {
    const now = ctx.clock.now();
    const dept = await loadDepartment(trx, orgId, input.departmentId, { lock: true });
    if (dept.archived_at && userIds.length > 0) {
      throw new DomainError('VALIDATION_FAILED', 'That department is archived.', { field: 'departmentId' });
    }
    const users = userIds.every(isUuid)
      ? userIds.length > 0
        ? await trx
            .selectFrom('users')
            .select(['id', 'status'])
            .where('org_id', '=', orgId)
            .where('id', 'in', userIds)
            .execute()
        : []
      : null;
    userIds.forEach((id, i) => {
      const u = users?.find((x) => x.id === id);
      if (!u) throw new DomainError('NOT_FOUND', undefined, { field: `userIds.${i}` });
      if (u.status !== 'active' && u.status !== 'invited') {
        throw new DomainError('VALIDATION_FAILED', 'A manager must be an active or invited user.', {
          field: `userIds.${i}`,
        });
      }
    });
    const before = await trx
      .selectFrom('department_managers')
      .select('user_id')
      .where('org_id', '=', orgId)
      .where('department_id', '=', dept.id)
      .orderBy('user_id')
      .execute();
    const from = before.map((r) => r.user_id);
    const to = [...userIds].sort();
    if (from.join() === to.join()) return dept;
    if (to.some((id) => !from.includes(id))) {
      assertHeldOrgWide(access, 'userIds', managerPermissionsOf(dept.manager_permissions));
    }
    await trx
      .deleteFrom('department_managers')
      .where('org_id', '=', orgId)
      .where('department_id', '=', dept.id)
      .execute();
    if (to.length > 0) {
      await trx
        .insertInto('department_managers')
        .values(to.map((user_id) => ({ org_id: orgId, department_id: dept.id, user_id, created_at: now })))
        .execute();
    }
    await recordAuditEvent(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'department.managers_changed',
        targetType: 'department',
        targetId: dept.id,
        changes: { managers: { from, to } },
      },
    );
    return dept;
  });
}
