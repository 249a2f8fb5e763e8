import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../src/api/scim/filter/ast.js';
import { compileUserFilter } from '../../src/api/scim/filter/compile-user-filter.js';
import { ScimFilterError } from '../../src/api/scim/filter/errors.js';
import { parseFilter } from '../../src/api/scim/filter/parse-filter.js';
import { userSortExpression } from '../../src/api/scim/filter/sort-expression.js';
import { createOrg } from '../support/factories.js';
import { Random } from '../support/random.js';
import { EvaluationRefused, evaluator } from '../support/scim-filter-evaluator.js';
import { filterText, randomUserFilter } from '../support/scim-filter-corpus.js';
import { seedScimUsers, type ScimDataset } from '../support/scim-users.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

const USERS = 10_000;
const FILTERS = 400;

let rt: TestRuntime;
let data: ScimDataset;
let other: ScimDataset;
beforeAll(async () => {
  rt = await openTestRuntime();
  const started = Date.now();
  const org = await createOrg(rt.services);
  data = await seedScimUsers(rt.services, org.id, USERS, 13);
  // Another organisation with the same shape: its users must never match (the caller scopes by org).
  other = await seedScimUsers(rt.services, (await createOrg(rt.services)).id, 200, 14);
  await sql`analyze users`.execute(rt.services.db);
  await sql`analyze user_departments`.execute(rt.services.db);
  console.log(`${rt.backend}: seeded ${USERS + 200} users in ${Date.now() - started} ms`);
}, 300_000);
afterAll(async () => {
  await rt?.close();
});

async function matchingIds(filter: Filter, orgId = data.orgId): Promise<string[]> {
  const rows = await rt.services.db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where(compileUserFilter(filter))
    .execute();
  return rows.map((r) => r.id).sort();
}

function expectedIds(filter: Filter, d = data): string[] {
  const matches = evaluator(filter);
  return d.users
    .filter(matches)
    .map((u) => u.id)
    .sort();
}

/** Compiles and runs on the database, or the refusal; the same for the in-memory evaluator. */
async function both(
  text: string,
): Promise<{ sqlIds: string[] | 'refused'; memoryIds: string[] | 'refused' }> {
  const filter = parseFilter(text);
  let memoryIds: string[] | 'refused';
  try {
    memoryIds = expectedIds(filter);
  } catch (e) {
    if (!(e instanceof EvaluationRefused)) throw e;
    memoryIds = 'refused';
  }
  let sqlIds: string[] | 'refused';
  try {
    sqlIds = await matchingIds(filter);
  } catch (e) {
    if (!(e instanceof ScimFilterError)) throw e;
    expect(e.scimType).toBe('invalidFilter');
    sqlIds = 'refused';
  }
  return { sqlIds, memoryIds };
}

describe('compiled SCIM filters over 10k users', () => {
  it('select exactly the users the in-memory evaluation of the same filter selects', async () => {
    const rng = new Random(2026);
    const started = Date.now();
    let refused = 0;
    let partial = 0;
    for (let i = 0; i < FILTERS; i++) {
      const text = filterText(randomUserFilter(data, rng), rng);
      const { sqlIds, memoryIds } = await both(text);
      if (sqlIds !== memoryIds) {
        // A mismatch names the filter, and a few users it disagrees on.
        const s = new Set(sqlIds === 'refused' ? [] : sqlIds);
        const m = new Set(memoryIds === 'refused' ? [] : memoryIds);
        const onlySql = [...s].filter((x) => !m.has(x)).slice(0, 3);
        const onlyMemory = [...m].filter((x) => !s.has(x)).slice(0, 3);
        expect({
          filter: text,
          sql: sqlIds === 'refused' ? 'refused' : sqlIds.length,
          onlySql,
          onlyMemory,
        }).toEqual({
          filter: text,
          sql: memoryIds === 'refused' ? 'refused' : memoryIds.length,
          onlySql: [],
          onlyMemory: [],
        });
      }
      if (sqlIds === 'refused') refused++;
      else if (sqlIds.length > 0 && sqlIds.length < USERS) partial++;
    }
    console.log(
      `${rt.backend}: ${FILTERS} filters in ${Date.now() - started} ms; ${refused} refused, ${partial} selecting some but not all`,
    );
    // The corpus must exercise selection, not only refusals or trivial filters.
    expect(partial).toBeGreaterThan(FILTERS / 3);
    expect(refused).toBeGreaterThan(10);
  }, 120_000);

  it.each([
    'userName eq "ADA.LOVELACE0@EXAMPLE.COM"',
    'emails[type eq "work" and value co "@example.com"]',
    'emails co "_"',
    'title co "%"',
    'title sw "back\\\\"',
    'title eq ""',
    'not (title pr)',
    'title ne "Engineer"',
    'not (title eq "Engineer")',
    'name.givenName eq null',
    'name.givenName ne null',
    'name pr and not (groups pr)',
    'groups[display eq "engineering" and not (value eq "00000000-0000-0000-0000-000000000000")]',
    'active eq false and meta.lastModified ge "2025-06-01T00:00:00Z"',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter co "%"',
    'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:DISPLAYNAME gt "m"',
    'externalId eq "ext-17" or externalId eq "Ext-17" or externalId eq "EXT-17"',
    'id eq "not-a-uuid" or id co "-4"',
  ])('%s', async (text) => {
    const { sqlIds, memoryIds } = await both(text);
    expect(sqlIds).not.toBe('refused');
    expect(sqlIds).toEqual(memoryIds);
  });

  it('finds a user by id, externalId (case exact) and userName (case-insensitive)', async () => {
    const u = data.users.find((x) => x.externalId !== null) as ScimDataset['users'][number];
    expect(await matchingIds(parseFilter(`id eq "${u.id}"`))).toEqual([u.id]);
    expect(await matchingIds(parseFilter(`id eq "${u.id.toUpperCase()}"`))).toEqual([]);
    expect(await matchingIds(parseFilter(`externalId eq ${JSON.stringify(u.externalId)}`))).toEqual([u.id]);
    expect(
      await matchingIds(
        parseFilter(
          `externalId eq ${JSON.stringify(u.externalId?.toLowerCase() === u.externalId ? u.externalId?.toUpperCase() : u.externalId?.toLowerCase())}`,
        ),
      ),
    ).toEqual([]);
    expect(await matchingIds(parseFilter(`userName eq ${JSON.stringify(u.userName.toUpperCase())}`))).toEqual(
      [u.id],
    );
    // Scoped by the caller's organisation: the other organisation's users are not found by their id.
    const stranger = other.users[0] as ScimDataset['users'][number];
    expect(await matchingIds(parseFilter(`id eq "${stranger.id}"`))).toEqual([]);
    expect(await matchingIds(parseFilter(`id eq "${stranger.id}"`), other.orgId)).toEqual([stranger.id]);
  });

  it('looks up userName and externalId through an index', async () => {
    const plan = async (text: string) => {
      const q = rt.services.db
        .selectFrom('users')
        .select('id')
        .where('org_id', '=', data.orgId)
        .where(compileUserFilter(parseFilter(text)))
        .compile();
      const rows = await sql<{
        'QUERY PLAN': string;
      }>`explain ${sql.raw(inline(q.sql, q.parameters))}`.execute(rt.services.db);
      return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    expect(await plan('externalId eq "Ext-42"')).toContain('users_org_external_id');
    expect(await plan('userName eq "Ada.Lovelace@example.com"')).toMatch(
      /Index (Only )?Scan using users_org_(id_)?email/,
    );
  });

  it('sorts by a mapped attribute', async () => {
    const rows = await rt.services.db
      .selectFrom('users')
      .select(['id', 'display_name'])
      .where('org_id', '=', data.orgId)
      .orderBy(userSortExpression('displayName'))
      .orderBy('id')
      .limit(5)
      .execute();
    expect(rows[0]?.display_name).not.toBe('');
    expect(() => userSortExpression('groups')).toThrow(ScimFilterError);
    expect(() => userSortExpression('nickName')).toThrow(ScimFilterError);
  });
});

/** Inlines parameters for EXPLAIN (the test's own values only: strings quoted, no user input). */
function inline(text: string, parameters: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = parameters[Number(n) - 1];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  });
}
