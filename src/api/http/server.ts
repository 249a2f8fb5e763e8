import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply } from 'fastify';
import mercurius from 'mercurius';
import { NoSchemaIntrospectionCustomRule, type ExecutionResult } from 'graphql';
import type { Services } from '../../domain/shared/context.js';
import type { GraphQLContext } from '../graphql/context.js';
import { aliasLimitRule, costLimitRule, graphqlLimits, singleUseFieldRule } from '../graphql/limits.js';
import { graphqlSchema } from '../graphql/schema.js';
import { authenticate, type Authentication } from './authenticate.js';
import { jwksRoutes } from './jwks.js';
import { auditExportRoutes } from './audit-export.js';
import { registerConsole } from './console.js';
import { costReportExportRoutes } from './cost-report-export.js';
import { formatGraphQLResponse, wantsGraphQLResponse } from './error-format.js';
import { registerHealthRoutes } from './health.js';
import { createMetrics, registerMetrics, type RosterMetrics } from './metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: Authentication;
  }
}

export interface ServerOptions {
  /** Reported by /readyz; false while shutting down. */
  isReady?: () => boolean | Promise<boolean>;
  logger?: boolean;
  /** Shared with the job worker when both run in this process; a fresh registry otherwise. */
  metrics?: RosterMetrics;
  /** The built web console's folder (dist/console by default); false serves no console. */
  consoleRoot?: string | false;
}

/** Trust the nearest `hops` proxies (proxy-addr's hop index counts from the socket outwards). */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** The HTTP face of Roster: GraphQL, health, metrics. Thin: parse, authenticate, call commands. */
export async function buildServer(services: Services, options: ServerOptions = {}) {
  const app = Fastify({
    loggerInstance: options.logger === false ? undefined : services.logger,
    bodyLimit: 1_048_576,
    trustProxy:
      typeof services.config.trustProxy === 'number'
        ? trustHops(services.config.trustProxy)
        : services.config.trustProxy,
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

  // GraphQL over HTTP: a null `extensions` (or `variables`) is the same as an absent one.
  app.addHook('preValidation', async (request) => {
    const body = request.body as Record<string, unknown> | undefined;
    if (request.url.startsWith('/graphql') && body && typeof body === 'object' && !Array.isArray(body)) {
      if (body.extensions === null) delete body.extensions;
      if (body.variables === null) delete body.variables;
    }
  });
  // Answer in the media type the client asked for: application/graphql-response+json when accepted.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/graphql') && wantsGraphQLResponse(request.headers.accept)) {
      const type = reply.getHeader('content-type');
      if (typeof type === 'string' && type.startsWith('application/json')) {
        reply.header('content-type', 'application/graphql-response+json; charset=utf-8');
      }
    }
    return payload;
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
      const reply = (context as unknown as { reply?: FastifyReply }).reply;
      return formatGraphQLResponse(execution, reply?.request.headers.accept, reply?.request.log ?? app.log);
    },
  });

  await app.register(jwksRoutes(services));
  await app.register(auditExportRoutes(services));
  await app.register(costReportExportRoutes(services));
  registerHealthRoutes(app, services, options.isReady);
  registerMetrics(app, services, options.metrics ?? createMetrics(services));
  if (options.consoleRoot !== false) await registerConsole(app, options.consoleRoot);
  return app;
}

export type RosterServer = Awaited<ReturnType<typeof buildServer>>;
