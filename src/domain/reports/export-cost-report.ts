import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import {
  costCentreCsvColumns,
  costCentreCsvRecord,
  costReportFilename,
  costReportGroupings,
  departmentCsvColumns,
  departmentCsvRecord,
  type CostReportGrouping,
} from './cost-report-csv.js';
import { costReport } from './cost-report.js';

export const exportCostReportInput = z
  .object({
    asOf: z.coerce.date().nullish(),
    /** One record per department (own and subtree figures) or per cost centre. */
    by: z.enum(costReportGroupings).default('department'),
    departmentId: z.string().max(64).nullish(),
  })
  .strict();

export interface CostReportExport {
  by: CostReportGrouping;
  filename: string;
  columns: readonly string[];
  /** The CSV records (without the header), every text cell formula-neutralised. */
  records: string[][];
}

/**
 * The cost report as CSV records (permission `costs:read`). The report is computed first (so a bad
 * department answers NOT_FOUND and nothing is recorded), then the export is audited as
 * `report.cost_exported` (changes: the effective asOf, the grouping, and the department when narrowed) in
 * its own transaction, committed before any record leaves. At most one record per department, so the
 * records are built in memory (5,000 departments: well under a megabyte).
 */
export async function exportCostReport(
  ctx: CommandContext,
  raw: z.input<typeof exportCostReportInput>,
): Promise<CostReportExport> {
  authorize(ctx.actor, 'costs:read');
  const input = parseInput(exportCostReportInput, raw);
  const orgId = ctx.actor.orgId;
  const report = await costReport(ctx, { asOf: input.asOf, departmentId: input.departmentId });

  const slug = await withTransaction(ctx.db, async ({ trx }) => {
    const org = await trx
      .selectFrom('organizations')
      .select('slug')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now: ctx.clock.now() },
      {
        action: 'report.cost_exported',
        targetType: 'organization',
        targetId: orgId,
        reason: null,
        changes: {
          asOf: report.asOf.toISOString(),
          by: input.by,
          ...(input.departmentId ? { departmentId: input.departmentId } : {}),
        },
      },
    );
    return org.slug;
  });

  const filename = costReportFilename(slug, report.asOf, input.by);
  return input.by === 'department'
    ? {
        by: input.by,
        filename,
        columns: departmentCsvColumns,
        records: report.departments.map((l) => departmentCsvRecord(l)),
      }
    : {
        by: input.by,
        filename,
        columns: costCentreCsvColumns,
        records: report.costCentres.map(costCentreCsvRecord),
      };
}
