import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import type { UserRow } from '../../src/db/schema.js';
import { DomainError } from '../../src/domain/errors.js';
import { endDueSuspensions } from '../../src/domain/users/end-due-suspensions.js';
import { statusHistoriesOf } from '../../src/domain/users/user-status-history.js';
import { gql, signInAs } from '../support/auth.js';
import { buildScopeWorld, placeUser, type ScopeWorld } from '../support/department-tree.js';
import { actorFor, contextFor, createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/**
 * `User.statusHistory`: the periods from `user_status_history`, newest first, with the reason and the
 * acting user found in the audit trail; read like the user itself (oneself, or `users:read` over the
 * user — a department manager only inside its subtrees).
 */

let rt: TestRuntime;
let app: RosterServer;
let w: ScopeWorld;
/** In A1: suspended until a date (ended by the scheduler), suspended again, reactivated, deactivated. */
let target: UserRow;
/** The administrator's own user id (the acting user of the changes). */
let adminId: string;
/** Steps of the manual clock: short, so the access tokens (10 minutes) stay valid. */
const step = 10_000;

const historyQuery = `query($id: ID!, $first: Int) { user(id: $id) { id statusHistory(first: $first) {
  status from to action reason changedBySystem changedBy { id } } } }`;

async function mutate(name: string, input: Record<string, unknown>) {
  const r = await gql(
    app,
    `mutation($i: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $i) { userErrors { code } } }`,
    { i: input },
    w.tokens.administrator,
  );
  expect(r.body.data?.[name]?.userErrors, JSON.stringify(r.body)).toEqual([]);
}

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  w = await buildScopeWorld(rt, app);
  adminId = (w.admin().actor as { userId: string }).userId;
  target = await placeUser(rt, w, 'A1');
  const id = target.id;
  rt.clock.advance(step);
  await mutate('suspendUser', {
    userId: id,
    reason: 'Laptop reported stolen',
    until: new Date(rt.clock.now().getTime() + 2 * step).toISOString(),
  });
  rt.clock.advance(3 * step);
  expect((await endDueSuspensions(rt.services, rt.clock.now())).reinstated).toBe(1);
  rt.clock.advance(step);
  await mutate('suspendUser', { userId: id, reason: 'Under investigation' });
  rt.clock.advance(step);
  await mutate('reactivateUser', { userId: id });
  rt.clock.advance(step);
  await mutate('deactivateUser', { userId: id, reason: 'Left the force' });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

interface Period {
  status: string;
  from: string;
  to: string | null;
  action: string | null;
  reason: string | null;
  changedBySystem: boolean;
  changedBy: { id: string } | null;
}

async function history(token: string, id: string, first?: number) {
  const r = await gql(app, historyQuery, { id, first }, token);
  return r.body as {
    data?: { user: { statusHistory: Period[] | null } | null };
    errors?: { extensions: { code: string }; path: string[] }[];
  };
}

describe('User.statusHistory', () => {
  it('lists the periods newest first, contiguous, with their reasons and who made each change', async () => {
    const body = await history(w.tokens.administrator, target.id);
    expect(body.errors).toBeUndefined();
    const periods = body.data!.user!.statusHistory!;
    const admin = { id: adminId };
    expect(periods.map(({ from: _f, to: _t, ...rest }) => rest)).toEqual([
      {
        status: 'DEACTIVATED',
        action: 'user.deactivated',
        reason: 'Left the force',
        changedBySystem: false,
        changedBy: admin,
      },
      {
        status: 'ACTIVE',
        action: 'user.reactivated',
        reason: null,
        changedBySystem: false,
        changedBy: admin,
      },
      {
        status: 'SUSPENDED',
        action: 'user.suspended',
        reason: 'Under investigation',
        changedBySystem: false,
        changedBy: admin,
      },
      // The scheduler ended the first suspension: no acting user.
      {
        status: 'ACTIVE',
        action: 'user.suspension_ended',
        reason: null,
        changedBySystem: true,
        changedBy: null,
      },
      {
        status: 'SUSPENDED',
        action: 'user.suspended',
        reason: 'Laptop reported stolen',
        changedBySystem: false,
        changedBy: admin,
      },
      // Created by a factory, not a command: no audit event to explain it.
      { status: 'ACTIVE', action: null, reason: null, changedBySystem: false, changedBy: null },
    ]);
    expect(periods[0]!.to).toBeNull();
    for (let i = 1; i < periods.length; i++) expect(periods[i]!.to).toBe(periods[i - 1]!.from);
    expect(new Date(periods[0]!.from).getTime()).toBe(rt.clock.now().getTime());
  });

  it('returns the newest `first` periods, and refuses a page size out of bounds', async () => {
    const two = await history(w.tokens.administrator, target.id, 2);
    expect(two.data!.user!.statusHistory!.map((p) => p.status)).toEqual(['DEACTIVATED', 'ACTIVE']);
    for (const first of [0, 101]) {
      const bad = await history(w.tokens.administrator, target.id, first);
      expect(bad.errors?.[0]?.extensions.code).toBe('VALIDATION_FAILED');
      expect(bad.data!.user!.statusHistory).toBeNull();
    }
  });

  it('shows a manager of the subtree the periods and reasons, but not who acted (no audit:read)', async () => {
    for (const token of [w.tokens.managerA, w.tokens.managerA1, w.tokens.userManager]) {
      const body = await history(token, target.id);
      expect(body.errors).toBeUndefined();
      const periods = body.data!.user!.statusHistory!;
      expect(periods.map((p) => p.status)).toEqual([
        'DEACTIVATED',
        'ACTIVE',
        'SUSPENDED',
        'ACTIVE',
        'SUSPENDED',
        'ACTIVE',
      ]);
      expect(periods[0]!.reason).toBe('Left the force');
      expect(periods.every((p) => p.changedBy === null)).toBe(true);
    }
  });

  it('is FORBIDDEN to a manager outside the subtree, and another organisation sees nothing', async () => {
    const outside = await history(w.tokens.managerB, target.id);
    expect(outside.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(outside.data?.user ?? null).toBeNull();

    // The field itself checks too, whichever way the user row was reached (a list, an audit event…).
    const managerB = contextFor(rt.services, await actorFor(rt.services, w.users.managerB));
    const [forbidden] = await statusHistoriesOf(managerB, [target]);
    expect(forbidden).toBeInstanceOf(DomainError);
    expect((forbidden as DomainError).code).toBe('FORBIDDEN');
    const [notFound] = await statusHistoriesOf(w.otherAdmin(), [target]);
    expect((notFound as DomainError).code).toBe('NOT_FOUND');

    // Batched: one call answers each user on its own terms.
    const inB = await placeUser(rt, w, 'B');
    const both = await statusHistoriesOf(managerB, [target, inB]);
    expect((both[0] as DomainError).code).toBe('FORBIDDEN');
    expect(both[1]).toEqual([{ status: 'active', from: inB.status_changed_at, to: null, cause: null }]);
  });

  it('lets a user read their own history — statuses and reasons, not who acted unless they may read the audit trail', async () => {
    const viewer = await createUser(rt.services, w.orgId, { role: 'viewer' });
    rt.clock.advance(step);
    await mutate('suspendUser', { userId: viewer.id, reason: 'Security check' });
    rt.clock.advance(step);
    await mutate('reactivateUser', { userId: viewer.id });
    const { accessToken } = await signInAs(rt, app, viewer);
    const r = await gql(
      app,
      '{ viewer { statusHistory { status reason changedBy { id } } } }',
      undefined,
      accessToken,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.viewer.statusHistory).toEqual([
      { status: 'ACTIVE', reason: null, changedBy: null },
      { status: 'SUSPENDED', reason: 'Security check', changedBy: null },
      { status: 'ACTIVE', reason: null, changedBy: null },
    ]);
    // A viewer may not read other users: FORBIDDEN, as for the user itself.
    const other = await history(accessToken, target.id);
    expect(other.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it('names the inviter of an invited user, and answers a whole page of users at once', async () => {
    const r = await gql(
      app,
      'mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { invitations { user { id } } userErrors { code } } }',
      {
        i: { invitations: [{ email: 'new.starter@example.test', role: 'VIEWER', departmentId: w.dept.A2 }] },
      },
      w.tokens.administrator,
    );
    expect(r.body.data?.inviteUsers?.userErrors, JSON.stringify(r.body)).toEqual([]);
    const invitedId = r.body.data.inviteUsers.invitations[0].user.id;
    const body = await history(w.tokens.administrator, invitedId);
    expect(body.data!.user!.statusHistory).toEqual([
      expect.objectContaining({
        status: 'INVITED',
        to: null,
        action: 'user.invited',
        changedBy: { id: adminId },
      }),
    ]);

    const page = await gql(
      app,
      '{ users(first: 50) { nodes { id statusHistory(first: 1) { status } } } }',
      undefined,
      w.tokens.managerA,
    );
    expect(page.body.errors).toBeUndefined();
    const nodes = page.body.data.users.nodes as { id: string; statusHistory: { status: string }[] }[];
    expect(nodes.find((n) => n.id === target.id)?.statusHistory).toEqual([{ status: 'DEACTIVATED' }]);
    expect(nodes.find((n) => n.id === invitedId)?.statusHistory).toEqual([{ status: 'INVITED' }]);
    expect(nodes.every((n) => n.statusHistory.length === 1)).toBe(true);
  });
});
