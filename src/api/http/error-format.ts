import { GraphQLError } from 'graphql';
import type { FastifyBaseLogger } from 'fastify';
import type { ExecutionResult } from 'graphql';
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
  if (!original || isGraphQLError(original)) {
    const code = typeof err.extensions?.code === 'string' ? err.extensions.code : 'GRAPHQL_VALIDATION_FAILED';
    return { message: err.message, ...where, extensions: { code } };
  }
  log.error({ err: original, path: err.path }, 'unexpected error in a resolver');
  return { message: errorCodes.INTERNAL, ...where, extensions: { code: 'INTERNAL' } };
}

/** Whether the client accepts the GraphQL-over-HTTP media type (then request errors answer 4xx). */
export function wantsGraphQLResponse(accept: string | undefined): boolean {
  return !!accept && accept.includes('application/graphql-response+json');
}

interface HttpError {
  statusCode?: number;
  code?: string;
}

/**
 * Status and body for a GraphQL response with errors, per the GraphQL-over-HTTP spec:
 * - errors while executing (there is `data`, maybe null): 200 with data and errors;
 * - the HTTP request itself is malformed (unparseable JSON, wrong media type): its 4xx;
 * - the document does not parse or validate, or variables do not coerce (a "request error", no `data`):
 *   400 with application/graphql-response+json, 200 with the legacy application/json;
 * - anything unexpected: 500, masked.
 */
export function formatGraphQLResponse(
  execution: ExecutionResult,
  accept: string | undefined,
  log: FastifyBaseLogger,
): { statusCode: number; response: { data?: Record<string, unknown> | null; errors: FormattedError[] } } {
  const raw = (execution.errors ?? []).flatMap((e) => {
    // Mercurius wraps a list of validation errors in one error.
    const inner = (e.originalError as { errors?: unknown } | undefined)?.errors;
    return Array.isArray(inner) ? (inner as GraphQLError[]) : [e];
  });
  if (execution.data !== undefined) {
    return {
      statusCode: 200,
      response: { data: execution.data, errors: raw.map((e) => formatGraphQLError(e, log)) },
    };
  }
  const http = raw
    .map((e) => (e.originalError ?? e) as HttpError)
    .find((o) => typeof o.code === 'string' && o.code.startsWith('FST_') && (o.statusCode ?? 0) >= 400);
  if (http) {
    const first = raw[0];
    return {
      statusCode: http.statusCode ?? 400,
      response: {
        errors: [{ message: first?.message ?? 'Bad request', extensions: { code: 'BAD_REQUEST' } }],
      },
    };
  }
  const errors = raw.map((e) => formatGraphQLError(toGraphQL(e), log));
  if (errors.some((e) => e.extensions.code === 'INTERNAL')) return { statusCode: 500, response: { errors } };
  return { statusCode: wantsGraphQLResponse(accept) ? 400 : 200, response: { errors } };
}

function toGraphQL(e: unknown): GraphQLError {
  return isGraphQLError(e)
    ? e
    : new GraphQLError((e as Error)?.message ?? 'Bad request', { originalError: e as Error });
}

/**
 * Mercurius loads graphql's CommonJS build and this code its ES module build, so `instanceof` fails across
 * the two; GraphQLError's toStringTag is the same in both.
 */
export function isGraphQLError(e: unknown): e is GraphQLError {
  return Object.prototype.toString.call(e) === '[object GraphQLError]';
}
