import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, isDomainError } from '../../domain/errors.js';

const statusOf: Partial<Record<string, number>> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION_FAILED: 400,
  REAUTHENTICATION_REQUIRED: 401,
};

/**
 * RFC 9470 (OAuth 2.0 Step Up Authentication Challenge): the token is fine but its authentication is too
 * old; `max_age` says how recent one must be (seconds).
 */
function stepUpChallenge(details: Record<string, unknown> | undefined): string {
  const maxAge = typeof details?.maxAgeSeconds === 'number' ? `, max_age=${details.maxAgeSeconds}` : '';
  return `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required"${maxAge}`;
}

/** The JSON error of a file export (audit trail, cost report): the domain code with its HTTP status. */
export function sendExportError(request: FastifyRequest, reply: FastifyReply, err: unknown, what: string) {
  if (isDomainError(err)) {
    const status = statusOf[err.code] ?? 400;
    if (err.code === 'REAUTHENTICATION_REQUIRED')
      reply.header('www-authenticate', stepUpChallenge(err.details));
    else if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send({ error: { code: err.code, message: err.message } });
  }
  request.log.error({ err }, `${what} failed`);
  return reply.code(500).send({ error: { code: 'INTERNAL', message: errorCodes.INTERNAL } });
}
