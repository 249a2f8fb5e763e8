import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import type { Services } from '../../domain/shared/context.js';
import { graphqlSchema } from '../graphql/schema.js';
import { authenticate, type Authentication } from './authenticate.js';
import { jwksRoutes } from './jwks.js';
import { auditExportRoutes } from './audit-export.js';
import { registerConsole } from './console.js';
import { costReportExportRoutes } from './cost-report-export.js';
import { graphiqlRoute } from './graphiql.js';
import { graphqlRoutes } from './graphql-route.js';
import { registerHealthRoutes } from './health.js';
import { scimPrefix, scimRoutes } from '../scim/scim-routes.js';
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
    // The largest legitimate body is inviteUsers' 100 entries with their messages (~300 KB); documents
    // themselves are bounded much lower (graphqlLimits.maxQueryLength, maxTokens).
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
    // Every response: a browser must not sniff a JSON answer into something else.
    reply.header('x-content-type-options', 'nosniff');
    const header = request.headers.authorization;
    // SCIM authenticates its own tokens (scim-routes.ts); to the rest of the house its requests are anonymous.
    const scim = request.url === scimPrefix || request.url.startsWith(`${scimPrefix}/`);
    request.auth = await authenticate(
      services,
      !scim && typeof header === 'string' ? header : undefined,
      request.ip,
    );
    if (request.auth.rateLimited)
      reply.header('retry-after', String(request.auth.rateLimited.retryAfterSeconds));
  });

  app.decorateRequest('graphqlOutcome', null);
  await app.register(graphqlRoutes(services, graphqlSchema()));
  if (services.config.env === 'development') await app.register(graphiqlRoute);
  await app.register(jwksRoutes(services));
  await app.register(auditExportRoutes(services));
  await app.register(costReportExportRoutes(services));
  await app.register(scimRoutes(services), { prefix: scimPrefix });
  registerHealthRoutes(app, services, options.isReady);
  registerMetrics(app, services, options.metrics ?? createMetrics(services));
  if (options.consoleRoot !== false) await registerConsole(app, options.consoleRoot);
  return app;
}

export type RosterServer = Awaited<ReturnType<typeof buildServer>>;
