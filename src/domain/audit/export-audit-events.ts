import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import type { AuditEventRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { auditEventBatches, auditEventFilter, type AuditEventFilter } from './audit-event-query.js';
import { auditExportFilename, auditExportFormats, type AuditExportFormat } from './audit-export-format.js';
import { flushAuditEvents, recordAuditEvent } from './record-audit-event.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';

export const exportAuditEventsInput = z
  .object({
    format: z.enum(auditExportFormats),
    filter: auditEventFilter.nullish(),
  })
  .strict();

export interface AuditExport {
  format: AuditExportFormat;
  filename: string;
  /** The events, oldest first, read in keyset batches as the consumer pulls them. */
  events: AsyncIterable<AuditEventRow>;
}

/** Rows per query while exporting: small enough to keep memory flat and each query short. */
const exportBatchSize = 1000;

/**
 * Starts an export of the organisation's audit trail. Reading the trail is itself audited: the
 * `audit.exported` event is committed before the first row leaves (the row count is not known yet), and
 * the export ends at that event, so it includes its own record and does not chase later appends.
 */
export async function exportAuditEvents(
  ctx: CommandContext,
  raw: z.input<typeof exportAuditEventsInput>,
): Promise<AuditExport> {
  authorize(ctx.actor, 'audit:export');
  const input = parseInput(exportAuditEventsInput, raw);
  // Step-up: the whole trail leaving the service needs a recent authentication.
  await requireRecentAuthentication(ctx);
  const orgId = ctx.actor.orgId;
  const now = ctx.clock.now();
  const filter = input.filter ?? {};

  const { slug, throughSeq } = await withTransaction(ctx.db, async ({ trx }) => {
    const org = await trx
      .selectFrom('organizations')
      .select('slug')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'audit.exported',
        targetType: 'organization',
        targetId: orgId,
        changes: { format: input.format, filter: filterForRecord(filter) },
      },
    );
    // Audit events are appended at commit; the export ends at its own event, so append it now.
    await flushAuditEvents(trx);
    const head = await trx
      .selectFrom('audit_chain_heads')
      .select('last_seq')
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    return { slug: org.slug, throughSeq: head.last_seq };
  });

  return {
    format: input.format,
    filename: auditExportFilename(slug, now, input.format),
    events: eachEvent(auditEventBatches(ctx.db, orgId, { filter, throughSeq, batchSize: exportBatchSize })),
  };
}

/** The filters that were set, for the audit record (absent ones are left out rather than stored as null). */
function filterForRecord(filter: AuditEventFilter): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== null && v !== undefined));
}

async function* eachEvent(batches: AsyncIterable<AuditEventRow[]>): AsyncGenerator<AuditEventRow> {
  for await (const rows of batches) yield* rows;
}
