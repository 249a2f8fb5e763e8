import { GraphQLError } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import { errorCodes, isDomainError } from '../../domain/errors.js';

export interface FormattedError {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions: { code: string; details?: Record<string, unknown> };
}

/**
 * Every error leaving the GraphQL API: domain errors keep their code and safe message; errors of the
 * document itself (syntax, validation, limits) keep GraphQL's message; anything else is logged and masked.
 */
export function formatGraphQLError(err: GraphQLError, log: FastifyBaseLogger): FormattedError {
  const original = err.originalError;
  const where = {
    ...(err.locations ? { locations: err.locations } : {}),
    ...(err.path ? { path: err.path } : {}),
  };
  if (isDomainError(original)) {
    return {
      message: original.message,
      ...where,
      extensions: { code: original.code, ...(original.details ? { details: original.details } : {}) },
    };
  }
  if (!original || original instanceof GraphQLError) {
    const code = typeof err.extensions?.code === 'string' ? err.extensions.code : 'GRAPHQL_VALIDATION_FAILED';
    return { message: err.message, ...where, extensions: { code } };
  }
  log.error({ err: original, path: err.path }, 'unexpected error in a resolver');
  return { message: errorCodes.INTERNAL, ...where, extensions: { code: 'INTERNAL' } };
}
