import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Expression,
  type SqlBool,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileUserFilter } from '../../src/api/scim/filter/compile-user-filter.js';
import { ScimFilterError } from '../../src/api/scim/filter/errors.js';
import { filterLimits } from '../../src/api/scim/filter/limits.js';
import { parseFilter, parsePatchPath } from '../../src/api/scim/filter/parse-filter.js';
import type { DB } from '../../src/db/schema.js';
import { createOrg } from '../support/factories.js';
import { Random } from '../support/random.js';
import { filterText, randomUserFilter } from '../support/scim-filter-corpus.js';
import { genericFilter, malformations, noise } from '../support/scim-filter-fuzz.js';
import { seedScimUsers, type ScimDataset, type ScimUserView } from '../support/scim-users.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/** Kysely without a database: compiles statements to SQL text only. */
const offline = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

const FUZZ = 100_000;

function onlyScimErrors(run: () => void, scimType: string, input: string): boolean {
  try {
    run();
    return true;
  } catch (e) {
    if (!(e instanceof ScimFilterError) || e.scimType !== scimType) {
      throw new Error(`${JSON.stringify(input)} threw ${String(e)}`);
    }
    return false;
  }
}

/** Values for filters over the User schema (no database needed to generate them). */
const sampleUser: ScimUserView = {
  id: '0b8e4f3c-1d2a-4c5b-9e6f-7a8b9c0d1e2f',
  externalId: 'Ext-1',
  userName: 'Ada.Lovelace@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
  displayName: 'Ada Lovelace',
  title: 'R_D 50%',
  active: true,
  emails: [{ value: 'Ada.Lovelace@example.com', type: 'work', primary: true }],
  roles: [{ value: 'viewer', primary: true }],
  groups: [],
  meta: {
    created: new Date('2026-01-01T00:00:00Z'),
    lastModified: new Date('2026-02-01T00:00:00Z'),
    resourceType: 'User',
  },
  enterprise: {
    employeeNumber: 'E1',
    costCenter: 'CC',
    organization: 'Roster',
    division: 'North',
    department: 'Legal',
    manager: { value: null },
  },
};
const sample: ScimDataset = {
  orgId: '',
  users: [sampleUser],
  departments: [{ id: '1c9d6bcd-bbfd-4b2d-9d5b-ab8715f0d4f9', name: 'Legal', archived: false }],
};

function fuzzInput(rng: Random): string {
  const r = rng.next();
  if (r < 0.2) return filterText(genericFilter(rng), rng);
  if (r < 0.45) return malformations(filterText(genericFilter(rng), rng), rng).text;
  if (r < 0.6) return filterText(randomUserFilter(sample, rng), rng);
  if (r < 0.75) return malformations(filterText(randomUserFilter(sample, rng), rng), rng).text;
  return noise(rng);
}

/** Inputs built to be expensive: each must be refused or parsed quickly. */
const hostile = [
  '('.repeat(filterLimits.maxLength),
  `${'('.repeat(4000)}a pr${')'.repeat(4000)}`,
  'not ('.repeat(1600),
  'emails['.repeat(1000),
  Array.from({ length: 2000 }, () => 'a pr').join(' and '),
  Array.from({ length: 199 }, (_, i) => `groups.display co "${i}"`).join(' or '),
  `a eq "${'\\u0041'.repeat(1300)}"`,
  `a eq "${'\\"'.repeat(4000)}"`,
  `a eq "${'x'.repeat(8100)}"`,
  `a eq "${'x'.repeat(9000)}"`,
  `${'a'.repeat(8000)} pr`,
  `a eq ${'9'.repeat(8000)}`,
  `a eq 1${'e'.repeat(4000)}`,
  `${'urn:'.repeat(2000)}a pr`,
  '"'.repeat(8192),
  '\\'.repeat(8192),
];

describe('fuzzed filters', () => {
  it(`${FUZZ} random and malformed filters: parse and compile throw nothing but ScimFilterError`, () => {
    const rng = new Random(4242);
    const started = Date.now();
    let parsed = 0;
    let compiled = 0;
    let slowest = 0;
    for (let i = 0; i < FUZZ; i++) {
      const input = fuzzInput(rng);
      const t0 = performance.now();
      let filter: ReturnType<typeof parseFilter> | undefined;
      if (
        onlyScimErrors(() => (filter = parseFilter(input)), 'invalidFilter', input) &&
        filter !== undefined
      ) {
        parsed++;
        const f = filter;
        let expression: Expression<SqlBool> | undefined;
        if (onlyScimErrors(() => (expression = compileUserFilter(f)), 'invalidFilter', input)) {
          compiled++;
          const e = expression as Expression<SqlBool>;
          offline.selectFrom('users').select('id').where(e).compile();
        }
      }
      onlyScimErrors(() => parsePatchPath(input), 'invalidPath', input);
      slowest = Math.max(slowest, performance.now() - t0);
    }
    console.log(
      `fuzz: ${FUZZ} inputs in ${Date.now() - started} ms, ${parsed} parsed, ${compiled} compiled; slowest ${slowest.toFixed(1)} ms`,
    );
    expect(parsed).toBeGreaterThan(FUZZ / 5);
    expect(compiled).toBeGreaterThan(FUZZ / 10);
  }, 120_000);

  it.each(hostile.map((h) => [`${h.slice(0, 40)}… (${h.length} characters)`, h]))(
    'is quick on a hostile input: %s',
    (_label, input) => {
      const t0 = performance.now();
      onlyScimErrors(() => compileUserFilter(parseFilter(input)), 'invalidFilter', input);
      onlyScimErrors(() => parsePatchPath(input), 'invalidPath', input);
      // Generous for a loaded machine: a quadratic path on 8 KB would take seconds.
      expect(performance.now() - t0).toBeLessThan(1000);
    },
  );
});

describe('fuzzed filters on the database', () => {
  let rt: TestRuntime;
  let orgId: string;
  beforeAll(async () => {
    rt = await openTestRuntime();
    orgId = (await createOrg(rt.services)).id;
    await seedScimUsers(rt.services, orgId, 50, 3);
  });
  afterAll(async () => {
    await rt?.close();
  });

  it('every filter that compiles runs without a database error', async () => {
    const rng = new Random(99);
    let ran = 0;
    for (let i = 0; ran < 500 && i < 50_000; i++) {
      const input = fuzzInput(rng);
      let expression: Expression<SqlBool>;
      try {
        expression = compileUserFilter(parseFilter(input));
      } catch (e) {
        if (e instanceof ScimFilterError) continue;
        throw e;
      }
      await expect(
        rt.services.db
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', orgId)
          .where(expression)
          .execute(),
        input,
      ).resolves.toBeDefined();
      ran++;
    }
    expect(ran).toBe(500);
  }, 120_000);
});
