import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RosterFastify } from './metrics.js';

/** Where `npm run build:console` (Vite) puts the web console. */
export const defaultConsoleRoot = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

/** Paths that belong to the API: never answered with the console's index.html. */
const apiPrefixes = ['/graphql', '/graphiql', '/api/', '/healthz', '/readyz', '/metrics', '/.well-known/'];

export function isConsolePath(url: string): boolean {
  const path = url.split('?')[0] ?? '/';
  return !apiPrefixes.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

/**
 * The console's page: the scripts and styles are ours only (Mantine sets inline style attributes, hence
 * 'unsafe-inline' for styles alone), it talks only to this origin, and no other site may frame it.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function pageHeaders(reply: { setHeader(name: string, value: string): unknown }): void {
  reply.setHeader('cache-control', 'no-cache');
  reply.setHeader('content-security-policy', contentSecurityPolicy);
  reply.setHeader('x-content-type-options', 'nosniff');
  reply.setHeader('referrer-policy', 'no-referrer');
}

const wantsPage = (request: FastifyRequest) =>
  (request.method === 'GET' || request.method === 'HEAD') &&
  (request.headers.accept ?? '').includes('text/html') &&
  isConsolePath(request.url);

function notFound(request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({
    message: `Route ${request.method}:${request.url} not found`,
    error: 'Not Found',
    statusCode: 404,
  });
}

/**
 * Serves the built console (React single-page app) from `root`: its files, and index.html for any page
 * a browser asks for (GET with Accept: text/html) outside the API's paths, so deep links such as
 * /users/123 or /accept-invitation#token=… load the app. Other unknown requests stay plain 404s.
 * Hashed assets are cached for a year; index.html is revalidated on every load.
 */
export async function registerConsole(app: RosterFastify, root = defaultConsoleRoot): Promise<void> {
  const built = existsSync(`${root}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      decorateReply: false,
      cacheControl: false,
      setHeaders: (res, path) => {
        if (path.endsWith('.html')) pageHeaders(res);
        else if (path.includes('/assets/'))
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
  app.setNotFoundHandler((request, reply) => {
    if (!wantsPage(request)) return notFound(request, reply);
    if (!built) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>Roster</title><p>The console is not built. Run <code>npm run build:console</code> (or <code>npm start</code>, which builds it).</p>',
        );
    }
    pageHeaders({ setHeader: (name, value) => reply.header(name, value) });
    return readFile(`${root}/index.html`).then((page) => reply.type('text/html; charset=utf-8').send(page));
  });
}
