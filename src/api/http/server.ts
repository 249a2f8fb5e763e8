import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import mercurius from 'mercurius';
import { NoSchemaIntrospectionCustomRule, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Services } from '../../domain/shared/context.js';
import type { GraphQLContext } from '../graphql/context.js';
import { aliasLimitRule, costLimitRule, graphqlLimits, singleUseFieldRule } from '../graphql/limits.js';
import { graphqlSchema } from '../graphql/schema.js';
import { authenticate, type Authentication } from './authenticate.js';
import { formatGraphQLError } from './error-format.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authentication;
  }
}

export interface ServerOptions {
  /** Reported by /readyz; false while shutting down. */
  isReady?: () => boolean | Promise<boolean>;
  logger?: boolean;
}

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** The HTTP face of Roster: GraphQL, health, metrics. Thin: parse, authenticate, call commands. */
export async function buildServer(services: Services, options: ServerOptions = {}) {
  const app = Fastify({
    loggerInstance: options.logger === false ? undefined : services.logger,
    bodyLimit: 1_048_576,
    // A caller's X-Request-Id is kept when it is a plain token; otherwise we make one.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
  });
  app.decorateRequest('auth', null as unknown as Authentication);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const header = request.headers.authorization;
    request.auth = await authenticate(services, typeof header === 'string' ? header : undefined);
  });

  const introspection = services.config.introspection;
  await app.register(mercurius, {
    schema: graphqlSchema(),
    path: '/graphql',
    graphiql: services.config.env === 'development',
    jit: 1,
    queryDepth: graphqlLimits.maxDepth,
    allowBatchedQueries: false,
    validationRules: [
      aliasLimitRule(),
      singleUseFieldRule(),
      costLimitRule(),
      ...(introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ],
    context: (
      request,
      reply,
    ): Omit<GraphQLContext, 'reply' | 'request'> & { request: typeof request; reply: typeof reply } => ({
      services,
      actor: request.auth.actor,
      authFailure: request.auth.failure,
      meta: { requestId: request.id, ip: request.ip, userAgent: request.headers['user-agent'] },
      request,
      reply,
    }),
    errorFormatter: (execution: ExecutionResult, context) => {
      const log =
        (context as unknown as { reply?: { request: { log: FastifyBaseLogger } } }).reply?.request.log ??
        app.log;
      const errors = (execution.errors ?? []).map((e) => formatGraphQLError(e as GraphQLError, log));
      const hasData = execution.data !== undefined && execution.data !== null;
      // Errors of the document itself answer 400; errors while executing keep 200 with partial data.
      return {
        statusCode: hasData ? 200 : errors.some((e) => e.extensions.code === 'INTERNAL') ? 500 : 400,
        response: { data: execution.data ?? null, errors },
      };
    },
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ready = options.isReady ? await options.isReady() : true;
    if (!ready) return reply.code(503).send({ status: 'unavailable' });
    return { status: 'ready' };
  });
  return app;
}

export type RosterServer = Awaited<ReturnType<typeof buildServer>>;
