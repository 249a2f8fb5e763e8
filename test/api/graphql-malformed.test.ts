import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let rt: TestRuntime;
let app: RosterServer;
let url: string;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const json = { 'content-type': 'application/json' };

/** Issue 10 item 2: each of these answered 500 INTERNAL; each is the client's mistake. */
const malformed: {
  name: string;
  init: { method?: string; headers?: Record<string, string>; body?: string };
  query?: string;
  status: number;
}[] = [
  { name: 'POST {}', init: { method: 'POST', headers: json, body: '{}' }, status: 400 },
  { name: 'POST {"query":1}', init: { method: 'POST', headers: json, body: '{"query":1}' }, status: 400 },
  {
    name: 'POST {"query":null}',
    init: { method: 'POST', headers: json, body: '{"query":null}' },
    status: 400,
  },
  { name: 'POST {"query":""}', init: { method: 'POST', headers: json, body: '{"query":""}' }, status: 400 },
  { name: 'POST body ""', init: { method: 'POST', headers: json, body: '""' }, status: 400 },
  { name: 'POST an empty body', init: { method: 'POST', headers: json, body: '' }, status: 400 },
  {
    name: 'POST a JSON array',
    init: { method: 'POST', headers: json, body: '[{"query":"{viewer{id}}"}]' },
    status: 400,
  },
  {
    name: 'POST JSON that does not parse',
    init: { method: 'POST', headers: json, body: '{"query":' },
    status: 400,
  },
  { name: 'GET ?query[]=1', init: {}, query: 'query[]=1', status: 400 },
  {
    name: 'GET ?query=a&query=b',
    init: {},
    query: 'query=%7Bviewer%7Bid%7D%7D&query=%7Bviewer%7Bid%7D%7D',
    status: 400,
  },
  { name: 'GET ?variables=%7B', init: {}, query: 'variables=%7B', status: 400 },
  {
    name: 'GET ?query={viewer{id}}&variables=[',
    init: {},
    query: 'query=%7Bviewer%7Bid%7D%7D&variables=%5B',
    status: 400,
  },
  {
    name: 'GET ?extensions={"persistedQuery":1}',
    init: {},
    query: `extensions=${encodeURIComponent('{"persistedQuery":1}')}`,
    status: 400,
  },
  {
    name: 'GET ?query with extensions.persistedQuery',
    init: {},
    query: `query=%7Bviewer%7Bid%7D%7D&extensions=${encodeURIComponent('{"persistedQuery":{"version":1}}')}`,
    status: 400,
  },
  {
    name: 'application/graphql with bad syntax',
    init: { method: 'POST', headers: { 'content-type': 'application/graphql' }, body: '{ viewer { id }' },
    status: 400,
  },
  {
    name: 'application/graphql with JSON in it',
    init: { method: 'POST', headers: { 'content-type': 'application/graphql' }, body: '{"kind":"Document"}' },
    status: 400,
  },
  {
    name: 'POST a query that is an AST object',
    init: { method: 'POST', headers: json, body: '{"query":{"kind":"Document","definitions":[]}}' },
    status: 400,
  },
  {
    name: 'GET ?query=mutation{signOut{ok}}',
    init: {},
    query: `query=${encodeURIComponent('mutation{signOut{ok}}')}`,
    status: 405,
  },
];

describe('malformed GraphQL-over-HTTP requests (issue 10 item 2)', () => {
  it('answer 4xx with a GraphQL error body and the HTTP headers of item 13, never 500', async () => {
    const seen: string[] = [];
    for (const c of malformed) {
      const r = await fetch(c.query === undefined ? url : `${url}?${c.query}`, c.init);
      const text = await r.text();
      let body: { errors?: { message?: unknown; extensions?: { code?: unknown } }[]; data?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // recorded below as a body that is not JSON
      }
      const ok =
        r.status === c.status &&
        Array.isArray(body.errors) &&
        body.errors.length > 0 &&
        typeof body.errors[0]?.message === 'string' &&
        typeof body.errors[0]?.extensions?.code === 'string' &&
        body.errors[0]?.extensions?.code !== 'INTERNAL' &&
        !('data' in body) &&
        r.headers.get('cache-control') === 'no-store' &&
        r.headers.get('x-content-type-options') === 'nosniff' &&
        (r.headers.get('content-type') ?? '').startsWith('application/json') &&
        (c.status !== 405 || r.headers.get('allow') === 'POST');
      if (!ok) {
        seen.push(
          `${c.name}: ${r.status} allow=${r.headers.get('allow')} cache-control=${r.headers.get('cache-control')} ` +
            `nosniff=${r.headers.get('x-content-type-options')} type=${r.headers.get('content-type')} ${text.slice(0, 200)}`,
        );
      }
    }
    expect(seen).toEqual([]);
  });

  it('keeps answering well-formed requests, with no-store and nosniff on success and request errors', async () => {
    const good = await fetch(url, { method: 'POST', headers: json, body: '{"query":"{ viewer { id } }"}' });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ data: { viewer: null } });
    expect(good.headers.get('cache-control')).toBe('no-store');
    expect(good.headers.get('x-content-type-options')).toBe('nosniff');

    const viaGet = await fetch(`${url}?query=${encodeURIComponent('{ viewer { id } }')}`);
    expect(viaGet.status).toBe(200);
    expect(viaGet.headers.get('cache-control')).toBe('no-store');

    const invalid = await fetch(url, {
      method: 'POST',
      headers: { ...json, accept: 'application/graphql-response+json' },
      body: '{"query":"{ nosuchfield }"}',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    expect(invalid.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await invalid.json()).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const health = await fetch(url.replace('/graphql', '/healthz'));
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
