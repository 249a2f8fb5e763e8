import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommandContext } from '../../domain/shared/context.js';
import { isObject } from './patch-request.js';
import { ScimError, scimErrorBody } from './scim-error.js';
import { scimListLimits, type UserListRequest } from './users-query.js';

export const scimMediaType = 'application/scim+json';
export const searchRequest = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** The pieces every SCIM route shares: its context, its answers, its request's parts. */

export function ctxOf(request: FastifyRequest): CommandContext {
  if (!request.scim) throw new ScimError(401, undefined, 'Authentication required.');
  return request.scim;
}

export function send(reply: FastifyReply, body: unknown) {
  return reply.type(`${scimMediaType}; charset=utf-8`).send(body);
}

export function sendError(reply: FastifyReply, e: ScimError) {
  if (e.status === 401) reply.header('www-authenticate', 'Bearer realm="roster-scim"');
  if (e.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.max(1, Math.ceil(e.retryAfterSeconds))));
  return reply.code(e.status).type(`${scimMediaType}; charset=utf-8`).send(scimErrorBody(e));
}

export function found<T>(x: T | undefined): T {
  if (x === undefined) throw new ScimError(404, undefined, 'No such resource.');
  return x;
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'The body must be a JSON object.');
  return body;
}

/** A `POST …/.search` body (RFC 7644 §3.4.3): an object that names the SearchRequest schema. */
export function searchBodyOf(body: unknown): Record<string, unknown> {
  const o = objectBody(body);
  if (!Array.isArray(o.schemas) || !o.schemas.includes(searchRequest)) {
    throw new ScimError(400, 'invalidSyntax', `A search request names the schema ${searchRequest}.`);
  }
  return o;
}

/** Fastify's own errors (body too large, unsupported media type, bad JSON) as SCIM errors. */
export function bodyError(err: unknown): ScimError | null {
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e.statusCode !== 'number' || e.statusCode < 400 || e.statusCode >= 500) return null;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ScimError(413, 'tooMany', 'The request body is too large.');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ScimError(415, undefined, `Send ${scimMediaType} or application/json.`);
  }
  return new ScimError(
    e.statusCode,
    e.statusCode === 400 ? 'invalidSyntax' : undefined,
    'The request is malformed.',
  );
}

/** `If-None-Match: *` or a list of ETags (weak comparison, RFC 9110 §13.1.2). */
export function matchesAny(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const weak = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || weak(t) === weak(etag));
}

/** startIndex, count, filter, sortBy, sortOrder from a query string or a search body (RFC 7644 §3.4.2-3). */
export function listRequestOf(q: Record<string, unknown>): UserListRequest {
  const int = (v: unknown, name: string, fallback: number) => {
    if (v === undefined || v === null || v === '') return fallback;
    const n = typeof v === 'number' ? v : Number(String(v));
    if (!Number.isInteger(n)) throw new ScimError(400, 'invalidValue', `${name} must be an integer.`);
    return n;
  };
  const text = (v: unknown, name: string, max: number) => {
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') throw new ScimError(400, 'invalidValue', `${name} must be a string.`);
    if (v.length > max)
      throw new ScimError(400, name === 'filter' ? 'invalidFilter' : 'invalidValue', `${name} is too long.`);
    return v;
  };
  // RFC 7644 §3.4.2.4: a startIndex below 1 is read as 1; a negative count as 0; above the maximum, the maximum.
  const startIndex = Math.max(1, int(q.startIndex, 'startIndex', 1));
  const count = Math.min(
    scimListLimits.maxResults,
    Math.max(0, int(q.count, 'count', scimListLimits.defaultCount)),
  );
  const order = text(q.sortOrder, 'sortOrder', 20);
  if (order !== null && order !== 'ascending' && order !== 'descending') {
    throw new ScimError(400, 'invalidValue', 'sortOrder is "ascending" or "descending".');
  }
  if (startIndex > 2_000_000_000) throw new ScimError(400, 'invalidValue', 'startIndex is too large.');
  return {
    filter: text(q.filter, 'filter', 8192),
    startIndex,
    count,
    sortBy: text(q.sortBy, 'sortBy', 300),
    sortOrder: order ?? 'ascending',
  };
}
