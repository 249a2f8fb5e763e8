import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { loadLiveDepartment } from './department-record.js';
import { membershipSet, membershipSummary, replaceMemberships } from './memberships.js';

export const maxSecondaryDepartments = 50;

export const setUserDepartmentsInput = z
  .object({
    userId: z.string().max(64),
    /** null: no primary department. */
    primaryDepartmentId: z.string().max(64).nullable(),
    secondaryDepartmentIds: z.array(z.string().max(64)).max(maxSecondaryDepartments),
  })
  .strict();

/**
 * Places a user in a primary department and any secondary ones (replacing the current placement), with the
 * membership history closed and opened in the same transaction. Departments must be live and of the
 * actor's organisation (another organisation's answers NOT_FOUND).
 */
export async function setUserDepartments(
  ctx: CommandContext,
  raw: z.input<typeof setUserDepartmentsInput>,
): Promise<UserRow> {
  authorize(ctx.actor, 'users:update');
  const input = parseInput(setUserDepartmentsInput, raw);
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async ({ trx }) => {
    const now = ctx.clock.now();
    const user = await lockUser(trx, orgId, input.userId);
    if (input.primaryDepartmentId) {
      await loadLiveDepartment(trx, orgId, input.primaryDepartmentId, 'primaryDepartmentId');
    }
    for (const [i, id] of input.secondaryDepartmentIds.entries()) {
      await loadLiveDepartment(trx, orgId, id, `secondaryDepartmentIds.${i}`);
    }
    const next = membershipSet(input.primaryDepartmentId, input.secondaryDepartmentIds);
    const r = await replaceMemberships(trx, orgId, user.id, next, now);
    if (r.changed) {
      await recordAuditEvent(
        trx,
        orgId,
        { actor: ctx.actor, meta: ctx.meta, now },
        {
          action: 'user.departments_changed',
          targetType: 'user',
          targetId: user.id,
          changes: { departments: { from: membershipSummary(r.from), to: membershipSummary(r.to) } },
        },
      );
    }
    return user;
  });
}
