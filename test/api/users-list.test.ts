import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { seedUsers } from '../../src/domain/users/seed-users.js';
import { gql, signInAs } from '../support/auth.js';
import { createOrg, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const usersQuery = `query($filter: UserFilter, $orderBy: UserOrder, $first: Int, $after: String) {
  users(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { id email displayName status role lastActiveAt } }
    nodes { id }
    pageInfo { hasNextPage endCursor }
    totalCount { value exact }
    exactTotalCount
  }
}`;

describe('users over GraphQL', () => {
  it('pages through the organisation by cursor, filtered and sorted, with both counts', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const other = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator', displayName: 'Ada Admin' });
    await seedUsers(s, { orgId: org.id, count: 60, batchSize: 100, seed: 7 });
    await seedUsers(s, { orgId: other.id, count: 30, batchSize: 100, seed: 7 });
    const { accessToken } = await signInAs(rt, app, admin);

    const expected = await s.db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', org.id)
      .orderBy('last_active_at', (ob) => ob.desc().nullsLast())
      .orderBy('id', 'desc')
      .execute();
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await gql(
        app,
        usersQuery,
        { orderBy: { field: 'LAST_ACTIVE_AT', direction: 'DESC' }, first: 25, after },
        accessToken,
      );
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      const c = r.body.data.users;
      expect(c.totalCount).toEqual({ value: 61, exact: true });
      expect(c.exactTotalCount).toBe(61);
      expect(c.nodes.map((n: { id: string }) => n.id)).toEqual(
        c.edges.map((e: { node: { id: string } }) => e.node.id),
      );
      expect(c.pageInfo.endCursor).toBe(c.edges.at(-1).cursor);
      seen.push(...c.nodes.map((n: { id: string }) => n.id));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected.map((u) => u.id));

    const filtered = await gql(
      app,
      usersQuery,
      { filter: { status: ['ACTIVE'], role: ['ADMINISTRATOR'], search: 'ada' }, first: 10 },
      accessToken,
    );
    expect(filtered.body.data.users.nodes).toEqual([{ id: admin.id }]);
    expect(filtered.body.data.users.totalCount).toEqual({ value: 1, exact: true });
  });

  it('refuses a viewer, a bad cursor and a page over 100 with stable codes', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const viewer = await createUser(s, org.id, { role: 'viewer' });
    const auditor = await createUser(s, org.id, { role: 'auditor' });
    const asViewer = await signInAs(rt, app, viewer);
    const asAuditor = await signInAs(rt, app, auditor);

    const denied = await gql(app, usersQuery, {}, asViewer.accessToken);
    expect(denied.body.data).toBeNull();
    expect(denied.body.errors[0].extensions.code).toBe('FORBIDDEN');

    const anonymous = await gql(app, usersQuery, {});
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const badCursor = await gql(app, usersQuery, { after: 'garbage' }, asAuditor.accessToken);
    expect(badCursor.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
    const tooMany = await gql(app, usersQuery, { first: 101 }, asAuditor.accessToken);
    expect(tooMany.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');

    // Without count fields selected the list still answers (counts are computed only when selected).
    const plain = await gql(
      app,
      '{ users(first: 1) { nodes { id } pageInfo { hasNextPage } } }',
      {},
      asAuditor.accessToken,
    );
    expect(plain.body.errors).toBeUndefined();
    expect(plain.body.data.users.pageInfo.hasNextPage).toBe(true);
  });
});

const pageQuery = `query($filter: UserFilter, $orderBy: UserOrder, $first: Int, $after: String, $last: Int, $before: String) {
  users(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    nodes { id }
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
  }
}`;

describe('users from the end (last / before)', () => {
  it('walks every order backwards from the last page to the first, the mirror of forwards', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    // The seed leaves about a tenth never active (null last activity), which sort last both ways.
    await seedUsers(s, { orgId: org.id, count: 70, batchSize: 100, seed: 11 });
    const { accessToken } = await signInAs(rt, app, admin);
    const forwards = async (orderBy: object, filter: object | null) => {
      const ids: string[] = [];
      let after: string | null = null;
      for (;;) {
        const r = await gql(app, pageQuery, { orderBy, filter, first: 20, after }, accessToken);
        expect(r.body.errors).toBeUndefined();
        const c = r.body.data.users;
        expect(c.pageInfo.hasPreviousPage).toBe(after !== null);
        ids.push(...c.nodes.map((n: { id: string }) => n.id));
        if (!c.pageInfo.hasNextPage) return ids;
        after = c.pageInfo.endCursor;
      }
    };
    const backwards = async (orderBy: object, filter: object | null) => {
      const pages: string[][] = [];
      let before: string | null = null;
      for (;;) {
        const r = await gql(app, pageQuery, { orderBy, filter, last: 20, before }, accessToken);
        expect(r.body.errors).toBeUndefined();
        const c = r.body.data.users;
        expect(c.pageInfo.hasNextPage).toBe(before !== null);
        pages.unshift(c.nodes.map((n: { id: string }) => n.id));
        if (!c.pageInfo.hasPreviousPage) return pages;
        before = c.pageInfo.startCursor;
      }
    };
    const inactive = { lastActiveBefore: new Date(Date.now() - 30 * 86_400_000).toISOString() };
    for (const field of ['NAME', 'EMAIL', 'CREATED_AT', 'LAST_ACTIVE_AT']) {
      for (const direction of ['ASC', 'DESC']) {
        for (const filter of [null, inactive, { neverSignedIn: true }]) {
          const orderBy = { field, direction };
          const all = await forwards(orderBy, filter);
          const pages = await backwards(orderBy, filter);
          expect(pages.flat(), `${field} ${direction} ${JSON.stringify(filter)}`).toEqual(all);
          // The last page is full and ends the list; the first page read backwards is the remainder.
          if (all.length > 20) expect(pages.at(-1)).toEqual(all.slice(-20));
        }
      }
    }
  });

  it('refuses first with last, after with before, and a cursor of another order', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const { accessToken } = await signInAs(rt, app, admin);
    const page = await gql(app, pageQuery, { first: 1 }, accessToken);
    const cursor = page.body.data.users.pageInfo.endCursor;
    for (const vars of [
      { first: 1, last: 1 },
      { after: cursor, before: cursor },
      { first: 1, before: cursor },
      { last: 101 },
      { last: 1, before: cursor, orderBy: { field: 'EMAIL' } },
    ]) {
      const r = await gql(app, pageQuery, vars, accessToken);
      expect(r.body.errors?.[0].extensions.code, JSON.stringify(vars)).toBe('VALIDATION_FAILED');
    }
  });
});

describe('inactivity filter at 1M users', () => {
  it('stays on an index: a page of "inactive for 90 days" from the end of the name order', async (t) => {
    // The plan is checked on the seeded PostgreSQL `bench` schema (1M users) when it exists.
    const url = process.env.TEST_DATABASE_URL;
    if (!url) return t.skip('needs TEST_DATABASE_URL with the bench schema (1M seeded users)');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url, options: '-c search_path=bench' });
    await client.connect();
    try {
      const has = await client.query(`select to_regclass('bench.users') as t`);
      if (!has.rows[0].t) return t.skip('no bench schema here (npm run bench seeds it)');
      const org = await client.query(`select org_id from users limit 1`);
      const plan = await client.query(
        `explain (analyze, format json) select * from users where org_id = $1
           and status in ('active','invited','suspended') and last_active_at < now() - interval '90 days'
           order by search_text desc, id desc limit 26`,
        [org.rows[0].org_id],
      );
      const root = plan.rows[0]['QUERY PLAN'][0];
      expect(JSON.stringify(root.Plan)).toMatch(/Index Scan/);
      expect(root['Execution Time']).toBeLessThan(100);
    } finally {
      await client.end();
    }
  });
});
