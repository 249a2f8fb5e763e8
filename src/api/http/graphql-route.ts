import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  execute,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import type { Services } from '../../domain/shared/context.js';
import type { GraphQLContext } from '../graphql/context.js';
import { createDocumentStore, type DocumentStore } from '../graphql/documents.js';
import { aliasLimitRule, costLimitRule, graphqlLimits, singleUseFieldRule } from '../graphql/limits.js';
import {
  formatGraphQLError,
  formatRequestErrors,
  responseContentType,
  toGraphQL,
  wantsGraphQLResponse,
  type FormattedError,
} from './error-format.js';
import { readGraphQLParams } from './graphql-request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the operation ran, for metrics (decorated in server.ts): its name and result. */
    graphqlOutcome: { operation: string; result: 'ok' | 'error' } | null;
  }
}

export const graphqlPath = '/graphql';

/**
 * GraphQL over HTTP (GET and POST /graphql), served by us rather than Mercurius' routes so that every
 * step is bounded and every malformed request answers 4xx: parameters are checked (graphql-request.ts);
 * documents come from a cache bounded by size that holds only valid documents (documents.ts); execution
 * uses graphql-jit once a document repeats. Every answer carries `Cache-Control: no-store` (it may hold
 * tokens, RFC 6749 §5.1) and `X-Content-Type-Options: nosniff`.
 */
export function graphqlRoutes(services: Services, schema: GraphQLSchema) {
  const introspection = services.config.introspection;
  const store = createDocumentStore({
    schema,
    rules: [
      aliasLimitRule(),
      singleUseFieldRule(),
      costLimitRule(graphqlLimits.maxCost, graphqlLimits.maxDepth, { introspection }),
      ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
    maxQueryLength: graphqlLimits.maxQueryLength,
    maxTokens: graphqlLimits.maxTokens,
    maxCachedLength: graphqlLimits.maxCachedDocumentLength,
    hideSuggestions: !introspection,
  });

  const plugin = async (app: FastifyInstance) => {
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });
    // Not part of the GraphQL-over-HTTP spec; kept for clients that post the bare document.
    app.addContentTypeParser(
      'application/graphql',
      { parseAs: 'string', bodyLimit: graphqlLimits.maxQueryLength * 4 },
      (_request, body, done) => done(null, { query: body }),
    );
    // Malformed JSON, an unsupported media type, a body over the limit: Fastify's 4xx, in a GraphQL body.
    app.setErrorHandler(async (err: Error & { statusCode?: number }, request, reply) => {
      const status = err.statusCode ?? 500;
      if (status >= 400 && status < 500) return sendErrors(reply, request, status, badRequest(err.message));
      request.log.error({ err }, 'unexpected error serving GraphQL');
      return sendErrors(reply, request, 500, [{ message: 'INTERNAL', extensions: { code: 'INTERNAL' } }]);
    });
    app.route({
      method: ['GET', 'POST'],
      url: graphqlPath,
      handler: (request, reply) => serve(services, schema, store, introspection, request, reply),
    });
  };
  return Object.assign(plugin, { store });
}

async function serve(
  services: Services,
  schema: GraphQLSchema,
  store: DocumentStore,
  introspection: boolean,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const params = readGraphQLParams(request.method, request.body, request.query);
  if (!params.ok) return sendErrors(reply, request, 400, badRequest(params.message));

  // Request errors answer 400 with the GraphQL media type, and 200 with legacy application/json (the
  // spec's rule); a bare application/graphql body (outside the spec) always gets 400.
  const requestErrorStatus =
    wantsGraphQLResponse(request.headers.accept) || isBareDocument(request) ? 400 : 200;
  const requestErrors = (errors: readonly unknown[]) =>
    sendErrors(reply, request, requestErrorStatus, formatRequestErrors(errors, request.log, !introspection));

  const prep = store.prepare(params.query);
  if (!prep.ok) return requestErrors(prep.errors);
  const { document } = prep.prepared;
  const operation = getOperationAST(document, params.operationName);
  if (!operation) {
    return requestErrors([
      toGraphQL(
        new Error(
          params.operationName
            ? `Unknown operation named "${params.operationName}".`
            : 'Must provide the operation name when the document has several operations.',
        ),
      ),
    ]);
  }
  if (request.method === 'GET' && operation.operation !== 'query') {
    reply.header('allow', 'POST');
    return sendErrors(reply, request, 405, [
      { message: 'Only queries may be sent with GET; use POST.', extensions: { code: 'METHOD_NOT_ALLOWED' } },
    ]);
  }

  const contextValue: GraphQLContext = {
    services,
    actor: request.auth.actor,
    authFailure: request.auth.failure,
    rateLimited: request.auth.rateLimited ?? null,
    enrolling: request.auth.enrolling,
    meta: { requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] },
    request,
    reply,
  };
  const compiled = store.compiled(prep.prepared, params.operationName);
  const result: ExecutionResult = compiled
    ? await compiled.query(undefined, contextValue, params.variables ?? {})
    : await execute({
        schema,
        document,
        contextValue,
        variableValues: params.variables,
        operationName: params.operationName,
        hideSuggestions: !introspection,
      });

  // No `data`: the variables did not coerce, a request error.
  if (!('data' in result) || result.data === undefined) return requestErrors(result.errors ?? []);
  const errors = (result.errors ?? []).map((e) => formatGraphQLError(toGraphQL(e), request.log));
  request.graphqlOutcome = {
    operation: operation.name?.value ?? '(anonymous)',
    result: errors.length > 0 ? 'error' : 'ok',
  };
  return send(reply, request, 200, errors.length > 0 ? { data: result.data, errors } : { data: result.data });
}

function isBareDocument(request: FastifyRequest): boolean {
  return (
    (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/graphql;') ||
    (request.headers['content-type'] ?? '').toLowerCase() === 'application/graphql'
  );
}

const badRequest = (message: string): FormattedError[] => [{ message, extensions: { code: 'BAD_REQUEST' } }];

function sendErrors(reply: FastifyReply, request: FastifyRequest, status: number, errors: FormattedError[]) {
  return send(reply, request, status, { errors });
}

function send(reply: FastifyReply, request: FastifyRequest, status: number, body: unknown) {
  return reply
    .code(status)
    .header('content-type', responseContentType(request.headers.accept))
    .send(JSON.stringify(body));
}
