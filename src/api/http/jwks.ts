import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../domain/shared/context.js';
import { sessionServices } from '../../domain/sessions/session-services.js';

/** Only these members of a key are published: never a private part, whatever the stored JWK holds. */
const publicMembers = ['kty', 'crv', 'x', 'kid', 'alg', 'use'] as const;

/** GET /.well-known/jwks.json: the public keys that verify Roster's access tokens (current and recent). */
export function jwksRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.get('/.well-known/jwks.json', async (_request, reply) => {
      const jwks = await sessionServices(services).keys.publicJwks();
      const keys = jwks.map((k) =>
        Object.fromEntries(publicMembers.filter((m) => k[m] !== undefined).map((m) => [m, k[m]])),
      );
      reply.header('cache-control', 'public, max-age=300');
      return { keys };
    });
  };
}
