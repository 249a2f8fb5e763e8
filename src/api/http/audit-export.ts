import { sendExportError } from './send-export-error.js';
import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  auditExportColumns,
  auditExportContentTypes,
  csvRecordOf,
  jsonLineOf,
} from '../../domain/audit/audit-export-format.js';
import { exportAuditEvents, type exportAuditEventsInput } from '../../domain/audit/export-audit-events.js';
import { DomainError } from '../../domain/errors.js';
import type { AuditEventRow } from '../../db/schema.js';
import type { CommandContext, Services } from '../../domain/shared/context.js';

/** Query parameter -> field of the export's filter. */
const filterParams = {
  after: 'occurredAfter',
  before: 'occurredBefore',
  action: 'action',
  actorId: 'actorId',
  targetId: 'targetId',
} as const;

/**
 * The command's input from the query string; an empty value counts as absent. Names the export does not
 * know are passed on as they are, so the command refuses them (after its permission check, like any input).
 */
export function exportInputOf(query: unknown): Record<string, unknown> {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const filter: Record<string, unknown> = {};
  const input: Record<string, unknown> = { format: 'csv', filter };
  for (const [name, value] of Object.entries(q)) {
    if (value === '') continue;
    if (Object.prototype.hasOwnProperty.call(filterParams, name)) {
      filter[filterParams[name as keyof typeof filterParams]] = value;
    } else input[name] = value;
  }
  return input;
}

/** The body: rows pulled batch by batch as the client reads, so the export's size never sits in memory. */
function exportBody(format: 'csv' | 'jsonl', events: AsyncIterable<AuditEventRow>, request: FastifyRequest) {
  const onError = (err: unknown) => {
    // Headers are gone by now; the client sees a cut-off download, and the log says why.
    if (err) request.log.error({ err }, 'audit export stopped while streaming');
  };
  if (format === 'jsonl') {
    const lines = Readable.from(
      (async function* () {
        for await (const row of events) yield jsonLineOf(row);
      })(),
    );
    lines.on('error', onError);
    return lines;
  }
  const records = Readable.from(
    (async function* () {
      for await (const row of events) yield csvRecordOf(row);
    })(),
  );
  // A byte-order mark lets spreadsheet programs read the UTF-8 (names with accents) correctly.
  return pipeline(records, stringify({ header: true, columns: [...auditExportColumns], bom: true }), onError);
}

/** GET /api/audit/export?format=csv|jsonl&after=&before=&action=&actorId=&targetId= (permission audit:export). */
export function auditExportRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/audit/export', async (request, reply) => {
      try {
        const actor = request.auth?.actor;
        if (!actor) throw new DomainError('UNAUTHENTICATED', request.auth?.failure ?? undefined);
        const ctx: CommandContext = {
          ...services,
          actor,
          meta: { requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] },
        };
        // Raw strings from the query; the command validates them (unknown format, bad date or id: 400).
        const input = exportInputOf(request.query) as z.input<typeof exportAuditEventsInput>;
        const exported = await exportAuditEvents(ctx, input);
        return reply
          .header('content-type', auditExportContentTypes[exported.format])
          .header('content-disposition', `attachment; filename="${exported.filename}"`)
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .send(exportBody(exported.format, exported.events, request));
      } catch (err) {
        return sendExportError(request, reply, err, 'audit export');
      }
    });
  };
}
