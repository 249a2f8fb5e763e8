import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import type { DepartmentRow } from '../../db/schema.js';
import { ancestorIds, loadDepartment, subtreePattern } from '../departments/department-record.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { costRollup, type CostRollup } from './cost-rollup.js';
import { seatCounts } from './cost-seats.js';

export const costReportInput = z
  .object({
    /** The instant the seats are counted at; now when absent. */
    asOf: z.coerce.date().nullish(),
    /** Narrows the report to this department's subtree. */
    departmentId: z.string().max(64).nullish(),
  })
  .strict();

export interface CostReport extends CostRollup<DepartmentRow> {
  asOf: Date;
  /** 'current': asOf is now or later (every recorded change counts); 'history': asOf is in the past. */
  source: 'current' | 'history';
}

/**
 * Seats and monthly cost per department (own and subtree), per cost centre and in total, as of an instant
 * (permission `costs:read`). The definitions — primary department only, billable = active + suspended,
 * inherited rate and cost centre, no proration, money in whole cents — are in `cost-rollup.ts`.
 *
 * As of a date: seats are counted as they were at `asOf` — each user's status and primary department at
 * that instant — so moves and status changes count from the instant they happened. They are read from the
 * seat ledger (`seatCounts`: a checkpoint plus the changes since), which agrees with the history tables
 * `user_status_history` and `user_department_history` (the definition); `source` says whether `asOf` was
 * now or later (every recorded change) or in the past. The TREE AND RATES ARE TODAY'S: departments and
 * their rates and cost centres have no history, so a past date is priced at today's rates, a department
 * created since appears with no seats, and a department moved since is reported where it sits now.
 * Archived departments appear only when their subtree holds a seat at asOf.
 */
export async function costReport(
  ctx: CommandContext,
  raw: z.input<typeof costReportInput> = {},
): Promise<CostReport> {
  authorize(ctx.actor, 'costs:read');
  const input = parseInput(costReportInput, raw);
  const orgId = ctx.actor.orgId;
  const now = ctx.clock.now();
  const asOf = input.asOf ?? now;
  const root = input.departmentId
    ? await loadDepartment(ctx.db, orgId, input.departmentId, { field: 'departmentId' })
    : null;
  const source = asOf.getTime() >= now.getTime() ? 'current' : 'history';
  // Seats first, departments second: departments are never deleted, so every seat's department is loaded.
  const seats = await seatCounts(ctx.db, orgId, source === 'current' ? null : asOf, root?.path ?? null);
  const departments = await reportDepartments(ctx, root);
  return { asOf, source, ...costRollup({ departments, seats, rootId: root?.id ?? null }) };
}

/** The whole tree (archived too), or the root's subtree plus its ancestors (for inheritance and names). */
async function reportDepartments(ctx: CommandContext, root: DepartmentRow | null): Promise<DepartmentRow[]> {
  let q = ctx.db.selectFrom('departments').selectAll().where('org_id', '=', ctx.actor.orgId);
  if (root) {
    const above = ancestorIds(root);
    q = q.where((eb) =>
      above.length > 0
        ? eb.or([eb('path', 'like', subtreePattern(root.path)), eb('id', 'in', above)])
        : eb('path', 'like', subtreePattern(root.path)),
    );
  }
  return q.orderBy('path').execute();
}
