import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, serverEnv, startRoster } from '../../../test/support/roster-process.js';

// A real `roster serve` process on a free port, on the embedded database in a fresh folder: what a person
// sees on the first start (the same on both test databases: the server makes its own embedded folder).

describe('what `roster serve` prints at start-up', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-start-up-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('links to the PORT it listens on, then one plain line saying where Roster runs; readable logs in development', async () => {
    const port = await freePort();
    const server = startRoster(serverEnv(port, { dataDir: join(dir, 'pretty') }, { LOG_LEVEL: 'info' }));
    try {
      const line = await server.waitForLine(/^Roster is running at /);
      const base = `http://localhost:${port}`;
      expect(line).toBe(
        `Roster is running at ${base}; console at ${base}/; GraphQL API at ${base}/graphql; GraphiQL at ${base}/graphiql`,
      );
      const out = server.stdout();
      expect(out).toContain(`  ${base}/accept-invitation#token=`);
      expect(out).not.toContain('localhost:4000');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      // Development's logs are readable lines, not JSON objects.
      const logLines = out.split('\n').filter((l) => /\bINFO\b/.test(l));
      expect(logLines.length).toBeGreaterThan(0);
      expect(out.split('\n').some((l) => l.startsWith('{'))).toBe(false);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);

  it('with LOG_FORMAT=json every log line is a JSON object; the plain line stays, without GraphiQL in production', async () => {
    const port = await freePort();
    const server = startRoster(
      serverEnv(
        port,
        { dataDir: join(dir, 'json') },
        { LOG_FORMAT: 'json', LOG_LEVEL: 'info', NODE_ENV: 'production', ROSTER_SECRET_KEY: 'k'.repeat(40) },
      ),
    );
    try {
      const line = await server.waitForLine(/^Roster is running at /);
      expect(line).not.toContain('GraphiQL');
      await server.waitForLine(/"msg":"Server listening at/);
      const logs = server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'));
      expect(logs.length).toBeGreaterThan(1);
      for (const l of logs) expect(JSON.parse(l)).toHaveProperty('level');
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);
});
