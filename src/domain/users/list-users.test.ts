import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { RoleKey } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { approximateUserCount, countUsers, type UserWhere } from './count-users.js';
import { listUsers } from './list-users.js';
import { fetchUserPage, type PageQuery } from './user-page-query.js';
import { encodeUserCursor, userSortFields, type UserOrder } from './user-cursor.js';
import { userFilterWhere, type UserFilter } from './user-filter.js';
import { seedUsers } from './seed-users.js';
import { normalizeEmail, searchTextOf } from './user-record.js';
import type { UserStatus } from './user-status.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

interface Spec {
  name: string;
  email: string;
  /** Overrides the computed search text, to make ties in the NAME key. */
  searchText?: string;
  status?: UserStatus;
  role?: RoleKey;
  /** UTC text with microseconds, so ties and sub-millisecond differences are exact. */
  created: string;
  lastActive?: string | null;
  lastLogin?: string | null;
}

const ts = (s: string) => `2026-0${s}Z`;

/** The people of the ordering tests: ties in every key, nulls, sub-millisecond gaps, LIKE wildcards. */
const people: Spec[] = [
  {
    name: 'Anna Garcia',
    email: 'anna.garcia@x.test',
    created: ts('1-01T10:00:00.000000'),
    lastActive: ts('3-01T10:00:00.000000'),
    lastLogin: ts('3-01T09:00:00.000000'),
  },
  {
    name: 'Anna Garcia',
    email: 'anna.garcia2@x.test',
    created: ts('1-01T10:00:00.000000'),
    lastActive: ts('3-01T10:00:00.000000'),
    lastLogin: ts('3-01T09:00:00.000000'),
  },
  {
    name: 'Same',
    email: 'same1@x.test',
    searchText: 'same same',
    created: ts('1-01T10:00:00.000000'),
    lastActive: null,
  },
  {
    name: 'Same',
    email: 'same2@x.test',
    searchText: 'same same',
    created: ts('1-01T10:00:00.000001'),
    lastActive: null,
  },
  {
    name: 'Same',
    email: 'same3@x.test',
    searchText: 'same same',
    created: ts('1-01T10:00:00.000002'),
    lastActive: null,
  },
  {
    name: 'Same',
    email: 'same4@x.test',
    searchText: 'same same',
    created: ts('1-01T10:00:00.000002'),
    lastActive: ts('3-01T10:00:00.000000'),
  },
  {
    name: 'Bob Kowalski',
    email: 'bob@x.test',
    status: 'suspended',
    role: 'auditor',
    created: ts('1-02T08:00:00.500000'),
    lastActive: ts('2-15T12:00:00.000001'),
  },
  {
    name: 'Carla Nowak',
    email: 'carla@x.test',
    status: 'deactivated',
    role: 'analyst',
    created: ts('1-02T08:00:00.500001'),
    lastActive: ts('2-15T12:00:00.000000'),
    lastLogin: ts('2-15T11:00:00.000000'),
  },
  {
    name: 'Dora Gallo',
    email: 'dora@x.test',
    status: 'invited',
    role: 'analyst',
    created: ts('1-03T08:00:00.000000'),
    lastActive: null,
  },
  {
    name: '100% Sure',
    email: 'sure@x.test',
    created: ts('1-04T08:00:00.000000'),
    lastActive: ts('2-01T00:00:00.000000'),
  },
  {
    name: '100 Percent',
    email: 'percent@x.test',
    created: ts('1-04T08:00:00.000000'),
    lastActive: ts('2-01T00:00:00.000000'),
  },
  { name: '%Leading Percent', email: 'lead@x.test', created: ts('1-04T08:00:00.000000') },
  { name: 'snake_case', email: 'snake@x.test', role: 'auditor', created: ts('1-05T08:00:00.000000') },
  {
    name: 'snakeXcase',
    email: 'snakex@x.test',
    role: 'auditor',
    status: 'suspended',
    created: ts('1-05T08:00:00.000000'),
  },
  {
    name: 'Back\\slash',
    email: 'back@x.test',
    created: ts('1-05T08:00:00.000000'),
    lastActive: ts('3-02T00:00:00.000000'),
  },
  {
    name: 'Gary Old',
    email: 'old@x.test',
    created: ts('1-06T08:00:00.000000'),
    lastActive: ts('1-20T00:00:00.000000'),
    lastLogin: ts('1-20T00:00:00.000000'),
  },
  {
    name: 'Zoe Zed',
    email: 'gazelle@x.test',
    created: ts('1-07T08:00:00.000000'),
    lastActive: ts('3-01T10:00:00.000000'),
  },
  ...Array.from({ length: 20 }, (_, i): Spec => ({
    name: `Filler ${String(i % 7)}`,
    email: `filler${i}@x.test`,
    created: ts(`1-1${i % 3}T08:00:00.00000${i % 4}`),
    lastActive: i % 3 === 0 ? null : ts(`2-2${i % 2}T08:00:00.000000`),
    lastLogin: i % 5 === 0 ? ts('2-20T08:00:00.000000') : null,
  })),
];

interface Created extends UserRow {
  createdText: string;
  lastActiveText: string | null;
}

async function insertPeople(orgId: string, specs: Spec[]): Promise<Created[]> {
  const out: Created[] = [];
  for (const p of specs) {
    const row = await rt.services.db
      .insertInto('users')
      .values({
        org_id: orgId,
        email: p.email,
        email_normalized: normalizeEmail(p.email),
        display_name: p.name,
        search_text: p.searchText ?? searchTextOf(p.name, p.email),
        role: p.role ?? 'viewer',
        status: p.status ?? 'active',
        created_at: p.created,
        updated_at: p.created,
        last_active_at: p.lastActive ?? null,
        last_login_at: p.lastLogin ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    out.push({ ...row, createdText: p.created, lastActiveText: p.lastActive ?? null });
  }
  return out;
}

/** The expected order, computed in memory: code-unit order of the text keys (the test databases use C). */
function sortInMemory(users: Created[], order: UserOrder): string[] {
  const key = (u: Created): string | null =>
    order.field === 'NAME'
      ? u.search_text
      : order.field === 'EMAIL'
        ? u.email_normalized
        : order.field === 'CREATED_AT'
          ? u.createdText
          : u.lastActiveText;
  const sign = order.direction === 'ASC' ? 1 : -1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...users]
    .sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (ka === null || kb === null) {
        if (ka !== kb) return ka === null ? 1 : -1; // nulls last in both directions
      } else if (ka !== kb) return sign * cmp(ka, kb);
      return sign * cmp(a.id, b.id);
    })
    .map((u) => u.id);
}

async function walk(ctx: CommandContext, order: UserOrder, first: number, filter?: UserFilter) {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 500; pages += 1) {
    const page = await listUsers(ctx, { orderBy: order, first, after, filter });
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    expect(page.edges).toHaveLength(first);
    after = page.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}

describe('listUsers', () => {
  let ctx: CommandContext;
  let everyone: Created[];
  let strangers: Created[];

  beforeAll(async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const other = await createOrg(s);
    const admin = await insertPeople(org.id, [
      { name: 'Admin', email: 'admin@x.test', role: 'administrator', created: ts('1-01T09:00:00.000000') },
    ]);
    ctx = contextFor(s, await actorFor(s, admin[0] as UserRow));
    everyone = [...admin, ...(await insertPeople(org.id, people))];
    // Look-alikes in another organisation: they match the same searches and filters, and must never show.
    strangers = await insertPeople(other.id, people.slice(0, 12));
  });

  for (const field of userSortFields) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`walks every user exactly once, ordered by ${field} ${direction}`, async () => {
        const order = { field, direction };
        const expected = sortInMemory(everyone, order);
        expect(await walk(ctx, order, 1)).toEqual(expected);
        expect(await walk(ctx, order, 7)).toEqual(expected);
        expect(await walk(ctx, order, 100)).toEqual(expected);
      });
    }
  }

  const expectMatches = async (filter: UserFilter, pick: (u: Created) => boolean) => {
    const order: UserOrder = { field: 'EMAIL', direction: 'ASC' };
    const expected = sortInMemory(everyone.filter(pick), order);
    expect(expected.length).toBeGreaterThan(0);
    expect(await walk(ctx, order, 3, filter)).toEqual(expected);
    const count = await countUsers(ctx, { filter });
    expect(count).toEqual({ value: expected.length, exact: true });
    expect(await countUsers(ctx, { filter, exact: true })).toEqual({ value: expected.length, exact: true });
  };

  it('filters by status, role, both, and ignores empty lists', async () => {
    await expectMatches({ status: ['suspended', 'deactivated'] }, (u) =>
      ['suspended', 'deactivated'].includes(u.status),
    );
    await expectMatches({ role: ['auditor'] }, (u) => u.role === 'auditor');
    await expectMatches(
      { status: ['suspended'], role: ['auditor', 'analyst'] },
      (u) => u.status === 'suspended' && ['auditor', 'analyst'].includes(u.role),
    );
    await expectMatches({ status: [], role: [] }, () => true);
  });

  it('filters by creation and last activity (after inclusive, before exclusive) and by never signed in', async () => {
    const jan4 = new Date('2026-01-04T08:00:00Z');
    await expectMatches({ createdAfter: jan4 }, (u) => u.createdText >= ts('1-04T08:00:00.000000'));
    await expectMatches({ createdBefore: jan4 }, (u) => u.createdText < ts('1-04T08:00:00.000000'));
    await expectMatches(
      {
        lastActiveAfter: new Date('2026-02-15T12:00:00Z'),
        lastActiveBefore: new Date('2026-03-01T10:00:00Z'),
      },
      (u) =>
        u.lastActiveText !== null &&
        u.lastActiveText >= ts('2-15T12:00:00.000000') &&
        u.lastActiveText < ts('3-01T10:00:00.000000'),
    );
    await expectMatches({ neverSignedIn: true }, (u) => u.last_login_at === null);
    await expectMatches({ neverSignedIn: false }, (u) => u.last_login_at !== null);
  });

  it('searches name and email as a case-insensitive substring from 3 letters', async () => {
    await expectMatches({ search: 'GARCIA' }, (u) => u.search_text.includes('garcia'));
    await expectMatches({ search: 'ia2@' }, (u) => u.email === 'anna.garcia2@x.test');
    await expectMatches({ search: 'owal' }, (u) => u.display_name === 'Bob Kowalski');
    await expectMatches({ search: '  zed ' }, (u) => u.display_name === 'Zoe Zed');
  });

  it('matches the start of a word of the name or of the email for 1-2 letter searches', async () => {
    // "ga": Gary (name), Garcia and Gallo (surnames), gazelle@ (email) — not "Bob Kowalski", where "a" is inside.
    const wordStart = (t: string) => (u: Created) =>
      u.search_text.startsWith(t) || u.search_text.includes(` ${t}`);
    await expectMatches({ search: 'Ga' }, wordStart('ga'));
    expect(
      everyone
        .filter(wordStart('ga'))
        .map((u) => u.display_name)
        .sort(),
    ).toEqual(['Anna Garcia', 'Anna Garcia', 'Dora Gallo', 'Gary Old', 'Zoe Zed']);
    await expectMatches({ search: 'z' }, wordStart('z'));
  });

  it('treats % _ and \\ in a search as plain characters', async () => {
    await expectMatches({ search: '100%' }, (u) => u.display_name === '100% Sure');
    await expectMatches({ search: '%' }, (u) => u.display_name === '%Leading Percent');
    await expectMatches({ search: 'ake_ca' }, (u) => u.display_name === 'snake_case');
    await expectMatches({ search: 'ack\\sla' }, (u) => u.display_name === 'Back\\slash');
    const nothing = await listUsers(ctx, { filter: { search: '_' } });
    expect(nothing.edges).toEqual([]);
    expect(nothing.totalCount).toEqual({ value: 0, exact: true });
  });

  it('reads the same pages whichever way a filtered page is fetched', async () => {
    // Sorting all matches, walking the index (with a budget so small it keeps falling back), walking with a
    // budget that suffices — and, for filters without a search, the planner's own plan.
    const ways: Pick<PageQuery, 'adaptive' | 'estimate' | 'walkBudget'>[] = [
      { adaptive: true, estimate: 0 },
      { adaptive: true, estimate: 1e9, walkBudget: 4 },
      { adaptive: true, estimate: 1e9, walkBudget: 10_000 },
      { adaptive: false, estimate: 0 },
    ];
    const cases: [UserFilter, (u: Created) => boolean][] = [
      [{ search: 'garcia' }, (u) => u.search_text.includes('garcia')],
      [{ search: 'sa' }, (u) => u.search_text.startsWith('sa') || u.search_text.includes(' sa')],
      [{ status: ['active'], neverSignedIn: true }, (u) => u.status === 'active' && u.last_login_at === null],
      [{ role: ['auditor', 'analyst'] }, (u) => ['auditor', 'analyst'].includes(u.role)],
    ];
    const orgId = ctx.actor.orgId;
    for (const [filter, pick] of cases) {
      for (const field of userSortFields) {
        for (const direction of ['ASC', 'DESC'] as const) {
          const order = { field, direction };
          const expected = sortInMemory(everyone.filter(pick), order);
          for (const way of ways) {
            const where: UserWhere = (eb) => userFilterWhere(eb, orgId, filter);
            const q = {
              ...way,
              orgId,
              filtered: true,
              order,
              where,
            };
            const ids: string[] = [];
            let cursor: PageQuery['cursor'] = null;
            for (;;) {
              const { rows, matchCount } = await fetchUserPage(rt.services.db, { ...q, cursor, limit: 3 });
              if (matchCount !== null) expect(matchCount).toBe(expected.length);
              ids.push(...rows.slice(0, 2).map((r) => r.id));
              const last = rows[1];
              if (rows.length < 3 || !last) break;
              cursor = { order, value: last.cursor_value, id: last.id };
            }
            expect({ filter, order, way, ids }).toEqual({ filter, order, way, ids: expected });
          }
        }
      }
    }
  });

  it('never shows another organisation’s users', async () => {
    const strangerIds = new Set(strangers.map((u) => u.id));
    const page = await listUsers(ctx, { first: 100 });
    expect(page.edges.some((e) => strangerIds.has(e.node.id))).toBe(false);
    expect(page.edges).toHaveLength(everyone.length);
    expect(page.totalCount).toEqual({ value: everyone.length, exact: true });
    const found = await listUsers(ctx, { filter: { search: 'garcia', status: ['active'] } });
    expect(found.edges.map((e) => e.node.email).sort()).toEqual([
      'anna.garcia2@x.test',
      'anna.garcia@x.test',
    ]);
    expect(await countUsers(ctx, { filter: { search: 'garcia' }, exact: true })).toEqual({
      value: 2,
      exact: true,
    });
    // A searched page read by sorting all matches counts them on the way: exact, even past page one.
    const firstOfTwo = await listUsers(ctx, { first: 1, filter: { search: 'garcia' } });
    expect(firstOfTwo.pageInfo.hasNextPage).toBe(true);
    expect(firstOfTwo.totalCount).toEqual({ value: 2, exact: true });
  });

  it('gives the exact count when asked, and the free exact count of a single page', async () => {
    const page = await listUsers(ctx, { first: 5, includeExactCount: true });
    expect(page.exactCount).toBe(everyone.length);
    expect(page.totalCount).toEqual({ value: everyone.length, exact: true });
    const without = await listUsers(ctx, { first: 5, includeTotalCount: false });
    expect(without.totalCount).toBeNull();
    expect(without.exactCount).toBeNull();
  });

  it('refuses a viewer, a bad cursor, a cursor of another order, and pages over 100', async () => {
    const s = rt.services;
    const viewer = await createUser(s, ctx.actor.orgId, { role: 'viewer' });
    const viewerCtx = contextFor(s, await actorFor(s, viewer));
    await expect(listUsers(viewerCtx, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(countUsers(viewerCtx, {})).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const page = await listUsers(ctx, { first: 2, orderBy: { field: 'CREATED_AT', direction: 'ASC' } });
    const cursor = page.pageInfo.endCursor as string;
    const nameAsc: UserOrder = { field: 'NAME', direction: 'ASC' };
    const createdAsc: UserOrder = { field: 'CREATED_AT', direction: 'ASC' };
    const anyId = '00000000-0000-4000-8000-000000000000';
    const raw = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const bad: [string, UserOrder][] = [
      ['not a cursor!', nameAsc],
      [raw({ x: 1 }), nameAsc],
      [Buffer.from('["NAME"').toString('base64url'), nameAsc],
      [raw(['NAME', 'ASC', 'a', 'not-a-uuid']), nameAsc],
      [raw(['NAME', 'ASC', 42, anyId]), nameAsc],
      // A null value is a position only in the nullable LAST_ACTIVE_AT order.
      [encodeUserCursor({ order: nameAsc, value: null, id: anyId }), nameAsc],
      [raw(['CREATED_AT', 'ASC', '2026-02-30T00:00:00.000000Z', anyId]), createdAsc],
      [raw(['CREATED_AT', 'ASC', '2026-02-01 00:00:00', anyId]), createdAsc],
    ];
    for (const [after, orderBy] of bad) {
      await expect(listUsers(ctx, { after, orderBy })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'after' },
      });
    }
    await expect(
      listUsers(ctx, { after: cursor, orderBy: { field: 'CREATED_AT', direction: 'DESC' } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/another sort order/),
    });
    await expect(listUsers(ctx, { after: cursor })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(listUsers(ctx, { first: 101 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(listUsers(ctx, { first: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(listUsers(ctx, { filter: { search: '   ' } })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(listUsers(ctx, { filter: { orgId: strangers[0]?.org_id } as never })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unknownFields: ['orgId'] },
    });
  });
});

describe('counts at scale', () => {
  it('estimates large results, counts small ones exactly, and bounds a count the planner underestimated', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const owner = await createUser(s, org.id, { role: 'owner' });
    const seeded = await seedUsers(s, { orgId: org.id, count: 3000, batchSize: 1000 });
    expect(seeded.inserted).toBe(3000);
    const ctx = contextFor(s, await actorFor(s, owner));

    const all = await countUsers(ctx, {});
    expect(all.exact).toBe(false);
    expect(all.value).toBeGreaterThan(1500);
    expect(all.value).toBeLessThan(6000);
    expect(await countUsers(ctx, { exact: true })).toEqual({ value: 3001, exact: true });
    const page = await listUsers(ctx, { first: 10, includeExactCount: true });
    expect(page.exactCount).toBe(3001);
    expect(page.pageInfo.hasNextPage).toBe(true);

    // A function the planner cannot see through is estimated at 0.5% of the rows, while all match:
    // the bounded count stops at 1001 and says so, instead of counting everything.
    const underestimated = await approximateUserCount(s.db, (eb) =>
      eb.and([eb('org_id', '=', org.id), sql<boolean>`length(id::text) = 36`]),
    );
    expect(underestimated).toEqual({ value: 1001, exact: false });
  });
});
