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
