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

/** GraphQL-over-HTTP media types of a response, by what the client accepts. */
export function responseContentType(accept: string | undefined): string {
  return wantsGraphQLResponse(accept)
    ? 'application/graphql-response+json; charset=utf-8'
    : 'application/json; charset=utf-8';
}

/**
 * graphql-js and graphql-jit suggest names ("Did you mean \"viewer\"?", enum values) in validation and
 * coercion errors. With introspection off (production) those would reveal the schema piece by piece.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

/** Errors of the request itself (parse, validation, variables): no `data`; 400 with the GraphQL media type. */
export function formatRequestErrors(
  errors: readonly unknown[],
  log: FastifyBaseLogger,
  hideSuggestions: boolean,
): FormattedError[] {
  return errors.map((e) => {
    const f = formatGraphQLError(toGraphQL(e), log);
    return hideSuggestions ? { ...f, message: withoutSuggestions(f.message) } : f;
  });
}

export function toGraphQL(e: unknown): GraphQLError {
  return isGraphQLError(e)
    ? e
    : new GraphQLError((e as Error)?.message ?? 'Bad request', { originalError: e as Error });
}

/**
 * graphql ships a CommonJS and an ES module build, and `instanceof` fails across the two (a bundler or
 * test runner may load the other one than Node does); GraphQLError's toStringTag is the same in both.
 */
export function isGraphQLError(e: unknown): e is GraphQLError {
  return Object.prototype.toString.call(e) === '[object GraphQLError]';
}
