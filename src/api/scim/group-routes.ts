import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CommandContext } from '../../domain/shared/context.js';
import { groupEtag, scimGroupOf } from './group-resource.js';
import { getScimGroup, listScimGroups } from './groups-query.js';
import { project, projectionOf, returnsAttribute, type Projection } from './projection.js';
import { listResponseOf } from './discovery.js';
import { ctxOf, listRequestOf, matchesAny, searchBodyOf, send } from './scim-reply.js';
import type { UserListRequest } from './users-query.js';

/**
 * The reads of Groups (RFC 7644 §3.4), the organisation's live departments (docs/scim-attributes.md), with
 * their members only when the client does not exclude them. Their writes are in write-operations.ts.
 */
export function groupRoutes(app: FastifyInstance, base: () => string): void {
  const resource = (g: Awaited<ReturnType<typeof getScimGroup>>) => scimGroupOf(g.row, g.members, base());

  app.get('/Groups', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    return listGroups(ctxOf(req), reply, listRequestOf(q), projectionOf(q.attributes, q.excludedAttributes));
  });
  app.post('/Groups/.search', async (req, reply) => {
    const body = searchBodyOf(req.body);
    const p = projectionOf(body.attributes, body.excludedAttributes);
    return listGroups(ctxOf(req), reply, listRequestOf(body), p);
  });
  app.get<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const p = projectionOf(q.attributes, q.excludedAttributes);
    const found = await getScimGroup(ctxOf(req), req.params.id, returnsAttribute(p, 'members'));
    const etag = groupEtag(found.row);
    reply.header('etag', etag);
    if (matchesAny(req.headers['if-none-match'], etag)) return reply.code(304).send();
    reply.header('location', `${base()}/Groups/${found.row.id}`);
    return send(reply, project(resource(found), p));
  });

  async function listGroups(ctx: CommandContext, reply: FastifyReply, r: UserListRequest, p: Projection) {
    const result = await listScimGroups(ctx, r, returnsAttribute(p, 'members'));
    const resources = result.groups.map((g) => project(resource(g), p));
    return send(reply, listResponseOf(r, result.totalResults, resources));
  }
}
