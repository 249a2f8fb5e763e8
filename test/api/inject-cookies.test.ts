import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

// package.json's `overrides` gives light-my-request (Fastify's inject, which every API test drives) cookie
// 1.x instead of 2.x, whose engines ask for Node >= 22 while Roster supports Node >= 20. This proves the
// older cookie does what light-my-request asks of it: encode the cookies of an injected request.
describe('Fastify inject with the cookie version pinned for Node 20', () => {
  it('sends the cookies given to inject, encoded, and only those whose path matches', async () => {
    const app = Fastify();
    app.get('/echo', async (request) => ({ cookie: request.headers.cookie ?? null }));
    try {
      const r = await app.inject({
        method: 'GET',
        url: '/echo',
        cookies: { session: 'a b;c', other: { value: 'x', path: '/elsewhere' } as never },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ cookie: 'session=a%20b%3Bc' });
    } finally {
      await app.close();
    }
  });
});
