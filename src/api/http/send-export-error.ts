import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, isDomainError } from '../../domain/errors.js';

const statusOf: Partial<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
};

/** The JSON error of a file export (audit trail, cost report): the domain code with its HTTP status. */
export function sendExportError(request: FastifyRequest, reply: FastifyReply, err: unknown, what: string) {
  if (isDomainError(err)) {
    const status = statusOf[err.code] ?? 400;
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send({ error: { code: err.code, message: err.message } });
  }
  request.log.error({ err }, `${what} failed`);
  return reply.code(500).send({ error: { code: 'INTERNAL', message: errorCodes.INTERNAL } });
}
