import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { graphqlLimits } from '../../src/api/graphql/limits.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let rt: TestRuntime;
let development: RosterServer;
let production: RosterServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  development = await buildServer(
    { ...rt.services, config: { ...rt.services.config, introspection: true } },
    {
      logger: false,
    },
  );
  // What NODE_ENV=production sets (config.ts): introspection off.
  production = await buildServer(
    { ...rt.services, config: { ...rt.services.config, introspection: false } },
    {
      logger: false,
    },
  );
});
afterAll(async () => {
  await development?.close();
  await production?.close();
  await rt?.close();
});

async function post(app: RosterServer, query: string) {
  const r = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { accept: 'application/graphql-response+json' },
    payload: { query },
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: r.statusCode, body: r.json() as any };
}

/** `{ departments { children { … { id } } } }`, `levels` fields deep. */
const nested = (levels: number) =>
  `{ departments { ${'children { '.repeat(levels - 2)}id${' }'.repeat(levels - 2)} } }`;

describe('introspection and the depth limit (issue 10 item 14)', () => {
  it('answers graphql-js’ standard introspection query while introspection is on', async () => {
    const r = await post(development, getIntrospectionQuery());
    expect(r.body.errors).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.body.data.__schema.queryType.name).toBe('Query');
    expect(r.body.data.__schema.types.some((t: { name: string }) => t.name === 'User')).toBe(true);
    // With every option graphql-js has (descriptions, specifiedByURL, directive repeatability, …).
    const full = await post(
      development,
      getIntrospectionQuery({
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      }),
    );
    expect(full.body.errors).toBeUndefined();
  });

  it('keeps the depth limit for every other query', async () => {
    const ok = await post(development, nested(graphqlLimits.maxDepth));
    expect(ok.body.errors?.[0]?.message ?? null).not.toMatch(/nest at most/);
    const deep = await post(development, nested(graphqlLimits.maxDepth + 1));
    expect(deep.status).toBe(400);
    expect(deep.body.errors[0].message).toBe(`Queries may nest at most ${graphqlLimits.maxDepth} levels.`);
    // An introspection field does not open a way around it for the rest of the document.
    const mixed = await post(
      development,
      `{ __schema { queryType { name } } ${nested(graphqlLimits.maxDepth + 1).slice(1)}`,
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.errors[0].message).toMatch(/nest at most/);
  });

  it('serves GraphiQL in development only', async () => {
    const dev = await buildServer(
      { ...rt.services, config: { ...rt.services.config, env: 'development', introspection: true } },
      { logger: false },
    );
    try {
      const page = await dev.inject({ method: 'GET', url: '/graphiql' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain("createFetcher({ url: '/graphql' })");
    } finally {
      await dev.close();
    }
    expect((await production.inject({ method: 'GET', url: '/graphiql' })).statusCode).toBe(404);
  });

  it('refuses introspection when it is off (production)', async () => {
    const r = await post(production, getIntrospectionQuery());
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    const messages: string[] = r.body.errors.map((e: { message: string }) => e.message);
    expect(messages.some((m) => /introspection/i.test(m))).toBe(true);
  });
});

describe('field suggestions (issue 10 item 13)', () => {
  const typo = '{ viewr { id } }';
  const enumTypo = '{ compareRoles(from: OWNR, to: ADMINISTRATOR) { __typename } }';

  it('are made while introspection is on (development)', async () => {
    const r = await post(development, typo);
    expect(r.body.errors[0].message).toMatch(/Did you mean "viewer"/);
  });

  it('are not made when introspection is off (production), for fields, enum values or variables', async () => {
    for (const query of [typo, enumTypo]) {
      const r = await post(production, query);
      expect(r.status).toBe(400);
      expect(r.body.errors.length).toBeGreaterThan(0);
      for (const e of r.body.errors) expect(e.message).not.toMatch(/Did you mean/);
    }
    // Three times: the first runs graphql-js' execute, the later ones the graphql-jit compiled query.
    for (let i = 0; i < 3; i++) {
      const v = await production.inject({
        method: 'POST',
        url: '/graphql',
        headers: { accept: 'application/graphql-response+json' },
        payload: {
          query: 'query($from: RoleKey!) { compareRoles(from: $from, to: OWNER) { __typename } }',
          variables: { from: 'OWNR' },
        },
      });
      expect(v.statusCode).toBe(400);
      expect(v.json().data).toBeUndefined();
      expect(v.json().errors[0].message).toMatch(/OWNR/);
      expect(v.json().errors[0].message).not.toMatch(/Did you mean/);
    }
  });
});
