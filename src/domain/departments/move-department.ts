import { sql } from 'kysely';
import { z } from 'zod';
import { missingForPlacement } from '../../authz/access.js';
import { authorize } from '../../authz/authorize.js';
import { accessOf, addedPermissionsAt } from '../../authz/load-access.js';
import type { Permission } from '../../authz/permissions.js';
import type { DepartmentRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { checkVersion } from '../shared/check-version.js';
import { parseInput } from '../shared/parse-input.js';
import {
  isInSubtree,
  loadDepartment,
  loadLiveDepartment,
  lockTree,
  pathUnder,
  subtreePattern,
} from './department-record.js';

export const moveDepartmentInput = z
  .object({
    departmentId: z.string().max(64),
    /** The new parent; null makes the department a root. */
    newParentId: z.string().max(64).nullable(),
    expectedVersion: z.number().int().nullish(),
  })
  .strict();

/**
 * Moves a department with its whole subtree under a new parent. Refused (DEPARTMENT_CYCLE) when the new
 * parent is the department itself or lies in its subtree. The paths and depths of the subtree are
 * rewritten in one UPDATE, so no reader ever sees half a move. Moving a subtree under (or out from under)
 * departments that add permissions hands its members those permissions (or takes them away): the actor
 * must hold each of them (DEPARTMENT_PERMISSION_NOT_HELD), as when placing one user.
 */
export async function moveDepartment(
  ctx: CommandContext,
  raw: z.input<typeof moveDepartmentInput>,
): Promise<DepartmentRow> {
  authorize(ctx.actor, 'departments:manage');
  const input = parseInput(moveDepartmentInput, raw);
  const orgId = ctx.actor.orgId;
  const access = await accessOf(ctx);
  return withTransaction(ctx.db, async ({ trx }) => {
    const now = ctx.clock.now();
    await lockTree(trx, orgId);
    const dept = await loadDepartment(trx, orgId, input.departmentId, { lock: true });
    checkVersion(dept, input.expectedVersion);
    const parent = input.newParentId
      ? await loadLiveDepartment(trx, orgId, input.newParentId, 'newParentId')
      : null;
    if (parent && isInSubtree(dept, parent)) {
      throw new DomainError('DEPARTMENT_CYCLE', undefined, { field: 'newParentId' });
    }
    const oldParentPath = dept.path.slice(0, dept.path.length - dept.id.length - 1);
    const before = await addedPermissionsAt(trx, orgId, oldParentPath);
    const after: Permission[] = parent ? await addedPermissionsAt(trx, orgId, parent.path) : [];
    const changing = [...before, ...after].filter((p) => before.includes(p) !== after.includes(p));
    const missing = missingForPlacement(access, changing);
    if (missing.length > 0) {
      throw new DomainError('DEPARTMENT_PERMISSION_NOT_HELD', undefined, { field: 'newParentId', missing });
    }
    const newPath = pathUnder(parent, dept.id);
    const depthShift = (parent ? parent.depth + 1 : 0) - dept.depth;
    await trx
      .updateTable('departments')
      .set({
        path: sql<string>`${newPath} || substr(path, ${dept.path.length + 1})`,
        depth: sql<number>`depth + ${depthShift}`,
        parent_id: sql<
          string | null
        >`case when id = ${dept.id} then ${parent?.id ?? null}::uuid else parent_id end`,
        version: sql<number>`case when id = ${dept.id} then version + 1 else version end`,
        updated_at: now,
      })
      .where('org_id', '=', orgId)
      .where('path', 'like', subtreePattern(dept.path))
      .execute();
    const moved = await loadDepartment(trx, orgId, dept.id);
    await recordAuditEvent(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'department.moved',
        targetType: 'department',
        targetId: dept.id,
        changes: { parentId: { from: dept.parent_id, to: moved.parent_id } },
      },
    );
    return moved;
  });
}
