import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/** How the server serves the console: files, the single-page fallback, and what stays the API's. */
describe('serving the console', () => {
  let rt: TestRuntime;
  let app: RosterServer;
  let root: string;
  const html = { accept: 'text/html,application/xhtml+xml' };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'roster-console-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Roster console</title>');
    writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
    rt = await openTestRuntime();
    app = await buildServer(rt.services, { logger: false, consoleRoot: root });
  });
  afterAll(async () => {
    await app?.close();
    await rt?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers any page of the app with index.html, with a strict content security policy', async () => {
    for (const url of ['/', '/users', '/users/4711?status=ACTIVE', '/accept-invitation']) {
      const r = await app.inject({ method: 'GET', url, headers: html });
      expect(r.statusCode, url).toBe(200);
      expect(r.body).toContain('Roster console');
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('serves hashed assets for a year', async () => {
    const r = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toContain('immutable');
  });

  it('leaves the API’s paths alone and keeps plain 404s for non-page requests', async () => {
    for (const url of ['/api/nope', '/graphql/x', '/.well-known/nope', '/metrics/x']) {
      const r = await app.inject({ method: 'GET', url, headers: html });
      expect(r.statusCode, url).toBe(404);
      expect(r.body).not.toContain('Roster console');
    }
    const json = await app.inject({ method: 'GET', url: '/users' });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ statusCode: 404 });
    expect((await app.inject({ method: 'GET', url: '/healthz', headers: html })).json()).toEqual({
      status: 'ok',
    });
    const post = await app.inject({ method: 'POST', url: '/users', headers: html });
    expect(post.statusCode).toBe(404);
  });

  it('says how to build the console when it is missing', async () => {
    const bare = await buildServer(rt.services, { logger: false, consoleRoot: join(root, 'missing') });
    try {
      const r = await bare.inject({ method: 'GET', url: '/users', headers: html });
      expect(r.statusCode).toBe(503);
      expect(r.body).toContain('npm run build:console');
    } finally {
      await bare.close();
    }
  });
});
