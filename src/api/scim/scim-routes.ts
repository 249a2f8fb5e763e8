import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  authenticateScimToken,
  chargeScimToken,
} from '../../domain/api-credentials/authenticate-scim-token.js';
import type { CommandContext, RequestMeta, Services } from '../../domain/shared/context.js';
import { discoveryList, listResponseOf, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import { project, projectionOf, type Projection } from './projection.js';
import { ScimError, scimErrorOf } from './scim-error.js';
import { groupRoutes } from './group-routes.js';
import {
  bodyError,
  ctxOf,
  found,
  listRequestOf,
  matchesAny,
  scimMediaType,
  searchBodyOf,
  send,
  sendError,
} from './scim-reply.js';
import { bulkLimits, runBulk } from './bulk.js';
import { scimUserOf, userEtag } from './user-resource.js';
import { getScimUser, listScimUsers, type UserListRequest } from './users-query.js';
import { writeOperations, type WriteAnswer } from './write-operations.js';

export const scimPrefix = '/scim/v2';

declare module 'fastify' {
  interface FastifyRequest {
    scim: CommandContext | null;
  }
}

/**
 * SCIM 2.0 (RFC 7644) at /scim/v2: thin — parse the request, authenticate the organisation's SCIM token
 * (every request; the token's organisation is the one served), call the domain, answer
 * `application/scim+json`. Errors are RFC 7644 §3.12 bodies, never a bare 500 for bad input.
 * Users and Groups (group-routes.ts) are read (list, search, get with ETags) and written (POST, PUT, PATCH,
 * DELETE with If-Match), each write the console's domain commands, alone or in a /Bulk request.
 */
export function scimRoutes(services: Services): FastifyPluginAsync {
  return async (app) => {
    app.decorateRequest('scim', null);
    // SCIM clients send application/scim+json; plain JSON is accepted too (RFC 7644 §3.1 SHOULD).
    app.addContentTypeParser(
      scimMediaType,
      { parseAs: 'string', bodyLimit: bulkLimits.maxPayloadSize },
      (_req, body, done) => {
        try {
          done(null, body === '' ? undefined : JSON.parse(body as string));
        } catch {
          done(new ScimError(400, 'invalidSyntax', 'The body is not valid JSON.'), undefined);
        }
      },
    );

    app.addHook('onRequest', async (request) => {
      const meta: RequestMeta = {
        requestId: request.id,
        ip: request.ip,
        userAgent: request.headers['user-agent'],
      };
      const actor = await authenticateScimToken(services, request.headers.authorization, meta);
      request.scim = { ...services, actor, meta };
    });

    app.setErrorHandler(async (err, request, reply) => {
      const known = scimErrorOf(err) ?? bodyError(err);
      if (!known) {
        request.log.error({ err }, 'unexpected error in the SCIM API');
        return sendError(reply, new ScimError(500, undefined, 'Internal error.'));
      }
      return sendError(reply, known);
    });
    app.setNotFoundHandler(async (_request, reply) =>
      sendError(reply, new ScimError(404, undefined, 'No such SCIM endpoint.')),
    );

    const base = () => `${services.config.publicUrl}${scimPrefix}`;

    app.get('/ServiceProviderConfig', async (_req, reply) => send(reply, serviceProviderConfig(base())));
    app.get('/ResourceTypes', async (_req, reply) => send(reply, discoveryList(resourceTypes(base()))));
    app.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (req, reply) =>
      send(reply, found(resourceTypes(base()).find((r) => r.id === req.params.id))),
    );
    app.get('/Schemas', async (_req, reply) => send(reply, discoveryList(schemas(base()))));
    app.get<{ Params: { id: string } }>('/Schemas/:id', async (req, reply) =>
      send(reply, found(schemas(base()).find((s) => s.id === req.params.id))),
    );

    app.get('/Users', async (req, reply) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      return listUsers(ctxOf(req), reply, listRequestOf(q), projectionOf(q.attributes, q.excludedAttributes));
    });
    app.post('/Users/.search', async (req, reply) => {
      const body = searchBodyOf(req.body);
      const r = listRequestOf(body);
      return listUsers(ctxOf(req), reply, r, projectionOf(body.attributes, body.excludedAttributes));
    });
    app.get<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      const { row, groups } = await getScimUser(ctxOf(req), req.params.id);
      const etag = userEtag(row);
      reply.header('etag', etag);
      if (matchesAny(req.headers['if-none-match'], etag)) return reply.code(304).send();
      reply.header('location', `${base()}/Users/${row.id}`);
      return send(
        reply,
        project(scimUserOf(row, groups, base()), projectionOf(q.attributes, q.excludedAttributes)),
      );
    });
    // Writes (RFC 7644 §3.3, §3.5, §3.6) of Users and Groups: the same operations /Bulk runs.
    const writes = writeOperations(base);
    for (const kind of ['Users', 'Groups'] as const) {
      app.post(`/${kind}`, async (req, reply) =>
        answer(reply, await writes[kind].POST(ctxOf(req), { body: req.body })),
      );
      for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
        app.route<{ Params: { id: string } }>({
          method,
          url: `/${kind}/:id`,
          handler: async (req, reply) =>
            answer(
              reply,
              await writes[kind][method](ctxOf(req), {
                id: req.params.id,
                body: req.body,
                ifMatch: req.headers['if-match'],
              }),
            ),
        });
      }
    }
    groupRoutes(app, base);
    app.post('/Bulk', async (req, reply) => {
      const ctx = ctxOf(req);
      const charge = () => chargeScimToken(services, ctx.actor);
      const unexpected = (err: unknown) =>
        req.log.error({ err }, 'unexpected error in a SCIM bulk operation');
      return send(reply, await runBulk(ctx, req.body, writes, charge, unexpected));
    });

    async function listUsers(ctx: CommandContext, reply: FastifyReply, r: UserListRequest, p: Projection) {
      const result = await listScimUsers(ctx, r);
      const resources = result.users.map((u) => project(scimUserOf(u.row, u.groups, base()), p));
      return send(reply, listResponseOf(r, result.totalResults, resources));
    }
  };
}

/** A write's answer: status, ETag and Location headers, the resource (none for 204). */
function answer(reply: FastifyReply, a: WriteAnswer) {
  if (a.etag) reply.header('etag', a.etag);
  if (a.location) reply.header('location', a.location);
  reply.code(a.status);
  return a.resource ? send(reply, a.resource) : reply.send();
}
