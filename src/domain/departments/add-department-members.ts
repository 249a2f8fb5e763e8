import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import { withTransaction } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { loadLiveDepartment } from './department-record.js';
import { membershipsOf } from './memberships.js';
import { maxSecondaryDepartments, placeUser } from './set-user-departments.js';

/** How many people one call adds; the console sends what a person picks, far fewer. */
export const maxMembersAdded = 100;

export const addDepartmentMembersInput = z
  .object({
    departmentId: z.string().max(64),
    userIds: z.array(z.string().max(64)).min(1).max(maxMembersAdded),
  })
  .strict();

export type MemberAddition =
  | { userId: string; outcome: 'added' | 'already_member' }
  | { userId: string; outcome: 'failed'; error: DomainError };

/**
 * Adds people to a department, each keeping every other membership: the department becomes a person's
 * primary one when they have none, a secondary one otherwise. Each person's placement is read and changed
 * under their own row lock, in a transaction of its own, so a change someone else made a moment earlier is
 * kept, never replaced by a stale copy (which is what reading each placement in the browser and sending it
 * back through setUserDepartments would do). The same checks as setUserDepartments apply to each person
 * (users:update over them, the target-role rule, manager scope, department permissions held); who cannot be
 * added is reported with the error, the others are added.
 */
export async function addDepartmentMembers(
  ctx: CommandContext,
  raw: z.input<typeof addDepartmentMembersInput>,
): Promise<MemberAddition[]> {
  const access = await authorizeAnywhere(ctx, 'users:update');
  const input = parseInput(addDepartmentMembersInput, raw);
  const orgId = ctx.actor.orgId;
  // An unknown or archived department fails the whole call: nothing is added anywhere.
  await withTransaction(ctx.db, ({ trx }) =>
    loadLiveDepartment(trx, orgId, input.departmentId, 'departmentId'),
  );
  const results: MemberAddition[] = [];
  for (const userId of new Set(input.userIds)) {
    try {
      const outcome = await withTransaction(ctx.db, async ({ trx }) => {
        const user = await lockUser(trx, orgId, userId);
        await authorizeOnUser(ctx, trx, 'users:update', user, 'write');
        const current = await membershipsOf(trx, orgId, user.id);
        if (current.some((m) => m.departmentId === input.departmentId)) return 'already_member' as const;
        const primary = current.find((m) => m.isPrimary)?.departmentId ?? null;
        const secondary = current.filter((m) => !m.isPrimary).map((m) => m.departmentId);
        if (primary && secondary.length >= maxSecondaryDepartments) {
          throw new DomainError(
            'VALIDATION_FAILED',
            `They are already in ${maxSecondaryDepartments} secondary departments, the most a person can be in.`,
            { field: 'departmentId' },
          );
        }
        await placeUser(
          ctx,
          trx,
          access,
          user,
          current,
          primary
            ? { primaryDepartmentId: primary, secondaryDepartmentIds: [...secondary, input.departmentId] }
            : { primaryDepartmentId: input.departmentId, secondaryDepartmentIds: secondary },
          { primary: 'departmentId', secondary: () => 'departmentId', secondaries: 'departmentId' },
        );
        return 'added' as const;
      });
      results.push({ userId, outcome });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      results.push({ userId, outcome: 'failed', error: err });
    }
  }
  return results;
}
