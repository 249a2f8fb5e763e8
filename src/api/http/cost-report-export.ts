import { sendExportError } from './send-export-error.js';
import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import { DomainError } from '../../domain/errors.js';
import { exportCostReport, type exportCostReportInput } from '../../domain/reports/export-cost-report.js';
import type { CommandContext, Services } from '../../domain/shared/context.js';

/**
 * The command's input from the query string; an empty value counts as absent. Unknown names are passed on,
 * so the command refuses them (after its permission check, like any input).
 */
export function costExportInputOf(query: unknown): Record<string, unknown> {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));
}

/**
 * GET /api/reports/cost.csv?asOf=&by=department|cost_centre&departmentId= (permission costs:read, bearer
 * token). The export is audited (`report.cost_exported`) before the first byte leaves.
 */
export function costReportExportRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get('/api/reports/cost.csv', async (request, reply) => {
      try {
        const actor = request.auth?.actor;
        if (!actor) throw new DomainError('UNAUTHENTICATED', request.auth?.failure ?? undefined);
        const ctx: CommandContext = {
          ...services,
          actor,
          meta: { requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] },
        };
        const input = costExportInputOf(request.query) as z.input<typeof exportCostReportInput>;
        const exported = await exportCostReport(ctx, input);
        const body = pipeline(
          Readable.from(exported.records),
          // A byte-order mark lets spreadsheet programs read the UTF-8 (names with accents) correctly.
          stringify({ header: true, columns: [...exported.columns], bom: true }),
          (err) => {
            if (err) request.log.error({ err }, 'cost report export stopped while streaming');
          },
        );
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${exported.filename}"`)
          .header('cache-control', 'no-store')
          .header('x-content-type-options', 'nosniff')
          .send(body);
      } catch (err) {
        return sendExportError(request, reply, err, 'cost report export');
      }
    });
  };
}
