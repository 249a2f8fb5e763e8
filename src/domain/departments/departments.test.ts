import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { CommandContext } from '../shared/context.js';
import { inviteUsers } from '../users/invite-users.js';
import { countUsers } from '../users/count-users.js';
import { listUsers } from '../users/list-users.js';
import { archiveDepartment } from './archive-department.js';
import { createDepartment } from './create-department.js';
import {
  departmentAncestors,
  departmentDescendants,
  departmentMemberCount,
  listDepartments,
} from './department-queries.js';
import { moveDepartment } from './move-department.js';
import { setDepartmentManagers } from './set-department-managers.js';
import { setUserDepartments } from './set-user-departments.js';
import { updateDepartment } from './update-department.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function adminOf(role: 'administrator' | 'viewer' = 'administrator') {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role });
  return { org, admin, ctx: contextFor(s, await actorFor(s, admin)) };
}

/** Directorate > Division > Unit > Team, plus a second root. */
async function tree(ctx: CommandContext) {
  const dir = await createDepartment(ctx, { name: 'Directorate', code: 'DIR', monthlyCostPerSeat: 120 });
  const div = await createDepartment(ctx, { name: 'Division', parentId: dir.id });
  const unit = await createDepartment(ctx, { name: 'Unit', parentId: div.id });
  const team = await createDepartment(ctx, { name: 'Team', parentId: unit.id });
  const other = await createDepartment(ctx, { name: 'Other root' });
  return { dir, div, unit, team, other };
}

async function actions(orgId: string) {
  const rows = await rt.services.db
    .selectFrom('audit_events')
    .select('action')
    .where('org_id', '=', orgId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.action);
}

describe('department tree', () => {
  it('creates a tree with materialised paths and depths, lists it in path order, audits each step', async () => {
    const { org, ctx } = await adminOf();
    const { dir, div, unit, team } = await tree(ctx);
    expect(dir).toMatchObject({ path: `${dir.id}/`, depth: 0, parent_id: null, monthly_cost_per_seat: 120 });
    expect(team).toMatchObject({ path: `${dir.id}/${div.id}/${unit.id}/${team.id}/`, depth: 3 });
    const all = await listDepartments(ctx);
    expect(all).toHaveLength(5);
    const ids = all.map((d) => d.id);
    expect(ids.indexOf(dir.id)).toBeLessThan(ids.indexOf(div.id));
    expect(ids.indexOf(unit.id)).toBeLessThan(ids.indexOf(team.id));
    expect((await departmentAncestors(ctx, team)).map((d) => d.name)).toEqual([
      'Directorate',
      'Division',
      'Unit',
    ]);
    expect((await departmentDescendants(ctx, div)).map((d) => d.name)).toEqual(['Unit', 'Team']);
    expect(await actions(org.id)).toEqual(Array(5).fill('department.created'));

    const updated = await updateDepartment(ctx, {
      departmentId: div.id,
      name: 'Division B',
      costCentre: 'CC-7',
      expectedVersion: div.version,
    });
    expect(updated).toMatchObject({ name: 'Division B', cost_centre: 'CC-7', version: div.version + 1 });
    await expect(
      updateDepartment(ctx, { departmentId: div.id, name: 'x', expectedVersion: div.version }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await expect(
      updateDepartment(ctx, { departmentId: div.id, parentId: null } as never),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { unknownFields: ['parentId'] },
    });
    await expect(createDepartment(ctx, { name: 'Dup', code: 'DIR' })).rejects.toMatchObject({
      code: 'DEPARTMENT_CODE_TAKEN',
    });
    await expect(createDepartment(ctx, { name: 'Bad', code: 'lower' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('refuses a move into itself, a child or a grandchild, and writes nothing', async () => {
    const { org, ctx } = await adminOf();
    const { dir, div, unit } = await tree(ctx);
    for (const target of [dir, div, unit]) {
      await expect(
        moveDepartment(ctx, { departmentId: dir.id, newParentId: target.id }),
      ).rejects.toMatchObject({
        code: 'DEPARTMENT_CYCLE',
      });
    }
    expect((await listDepartments(ctx)).find((d) => d.id === dir.id)).toMatchObject({ path: `${dir.id}/` });
    expect((await actions(org.id)).filter((a) => a === 'department.moved')).toEqual([]);
  });

  it('moves a subtree: every path and depth below it is rewritten; to root and back', async () => {
    const { org, ctx } = await adminOf();
    const { dir, div, unit, team, other } = await tree(ctx);
    const moved = await moveDepartment(ctx, { departmentId: div.id, newParentId: other.id });
    expect(moved).toMatchObject({ parent_id: other.id, depth: 1, path: `${other.id}/${div.id}/` });
    const byId = new Map((await listDepartments(ctx)).map((d) => [d.id, d]));
    expect(byId.get(unit.id)).toMatchObject({ path: `${other.id}/${div.id}/${unit.id}/`, depth: 2 });
    expect(byId.get(team.id)).toMatchObject({
      path: `${other.id}/${div.id}/${unit.id}/${team.id}/`,
      depth: 3,
    });
    expect(byId.get(dir.id)).toMatchObject({ path: `${dir.id}/`, depth: 0 });

    const root = await moveDepartment(ctx, { departmentId: unit.id, newParentId: null });
    expect(root).toMatchObject({ parent_id: null, depth: 0, path: `${unit.id}/` });
    const teamNow = (await listDepartments(ctx)).find((d) => d.id === team.id);
    expect(teamNow).toMatchObject({ path: `${unit.id}/${team.id}/`, depth: 1 });
    expect((await actions(org.id)).filter((a) => a === 'department.moved')).toHaveLength(2);
  });

  it('archives only when empty: refused with members, refused with live children, members moved on request', async () => {
    const { org, ctx } = await adminOf();
    const { dir, div, unit, team, other } = await tree(ctx);
    const s = rt.services;
    const ann = await createUser(s, org.id);
    const bob = await createUser(s, org.id);
    const gone = await createUser(s, org.id, { status: 'deactivated' });
    await setUserDepartments(ctx, {
      userId: ann.id,
      primaryDepartmentId: team.id,
      secondaryDepartmentIds: [other.id],
    });
    await setUserDepartments(ctx, {
      userId: bob.id,
      primaryDepartmentId: dir.id,
      secondaryDepartmentIds: [team.id],
    });
    await setUserDepartments(ctx, {
      userId: gone.id,
      primaryDepartmentId: team.id,
      secondaryDepartmentIds: [],
    });

    await expect(archiveDepartment(ctx, { departmentId: unit.id })).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_EMPTY',
    });
    await expect(archiveDepartment(ctx, { departmentId: team.id })).rejects.toMatchObject({
      code: 'DEPARTMENT_NOT_EMPTY',
    });
    await expect(
      archiveDepartment(ctx, { departmentId: unit.id, moveMembersTo: other.id }),
    ).rejects.toMatchObject({ code: 'DEPARTMENT_NOT_EMPTY' });
    // The target must lie outside the archived subtree.
    await expect(
      archiveDepartment(ctx, { departmentId: team.id, moveMembersTo: team.id }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'moveMembersTo' },
    });

    const before = (await actions(org.id)).length;
    const archived = await archiveDepartment(ctx, { departmentId: team.id, moveMembersTo: div.id });
    expect(archived.archived_at).not.toBeNull();
    const rows = await s.db
      .selectFrom('user_departments')
      .select(['user_id', 'department_id', 'is_primary'])
      .where('org_id', '=', org.id)
      .execute();
    const of = (id: string) =>
      rows
        .filter((r) => r.user_id === id)
        .map(
          (r) =>
            `${r.department_id === div.id ? 'div' : r.department_id === other.id ? 'other' : r.department_id === dir.id ? 'dir' : r.department_id}:${r.is_primary}`,
        )
        .sort();
    expect(of(ann.id)).toEqual(['div:true', 'other:false']);
    expect(of(bob.id)).toEqual(['dir:true', 'div:false']);
    // A deactivated user holds no seat: not moved, not counted.
    expect(rows.filter((r) => r.user_id === gone.id).map((r) => r.department_id)).toEqual([team.id]);
    expect((await actions(org.id)).slice(before).sort()).toEqual([
      'department.archived',
      'user.departments_changed',
      'user.departments_changed',
    ]);
    expect(await departmentMemberCount(ctx, div, false)).toBe(2);
    expect(await departmentMemberCount(ctx, dir, true)).toBe(2);
    expect((await listDepartments(ctx)).map((d) => d.id)).not.toContain(team.id);
    expect((await listDepartments(ctx, { includeArchived: true })).map((d) => d.id)).toContain(team.id);
    // Now Unit has no live children and no live members.
    await expect(archiveDepartment(ctx, { departmentId: unit.id })).resolves.toMatchObject({ id: unit.id });
  });

  it('names managers (active or invited users of the organisation) and audits the change', async () => {
    const { org, ctx } = await adminOf();
    const s = rt.services;
    const d = await createDepartment(ctx, { name: 'Fraud' });
    const m1 = await createUser(s, org.id);
    const m2 = await createUser(s, org.id, { status: 'invited' });
    const suspended = await createUser(s, org.id, { status: 'suspended' });
    await setDepartmentManagers(ctx, { departmentId: d.id, userIds: [m1.id, m2.id] });
    const managers = await s.db
      .selectFrom('department_managers')
      .select('user_id')
      .where('department_id', '=', d.id)
      .execute();
    expect(managers.map((m) => m.user_id).sort()).toEqual([m1.id, m2.id].sort());
    await expect(
      setDepartmentManagers(ctx, { departmentId: d.id, userIds: [suspended.id] }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'userIds.0' },
    });
    expect((await actions(org.id)).at(-1)).toBe('department.managers_changed');
  });
});

describe('memberships', () => {
  it('keeps one primary, writes history intervals on each change', async () => {
    const { org, ctx } = await adminOf();
    const s = rt.services;
    const { dir, div, other } = await tree(ctx);
    const u = await createUser(s, org.id);
    const t0 = rt.clock.now();
    await setUserDepartments(ctx, {
      userId: u.id,
      primaryDepartmentId: dir.id,
      secondaryDepartmentIds: [div.id, dir.id],
    });
    rt.clock.advance(60_000);
    const t1 = rt.clock.now();
    await setUserDepartments(ctx, {
      userId: u.id,
      primaryDepartmentId: other.id,
      secondaryDepartmentIds: [div.id],
    });
    const history = await s.db
      .selectFrom('user_department_history')
      .select(['department_id', 'is_primary', 'valid_from', 'valid_to'])
      .where('user_id', '=', u.id)
      .orderBy('valid_from')
      .orderBy('is_primary', 'desc')
      .execute();
    expect(history).toEqual([
      { department_id: dir.id, is_primary: true, valid_from: t0, valid_to: t1 },
      { department_id: div.id, is_primary: false, valid_from: t0, valid_to: null },
      { department_id: other.id, is_primary: true, valid_from: t1, valid_to: null },
    ]);
    const current = await s.db
      .selectFrom('user_departments')
      .selectAll()
      .where('user_id', '=', u.id)
      .execute();
    expect(current.filter((m) => m.is_primary).map((m) => m.department_id)).toEqual([other.id]);
    expect((await actions(org.id)).filter((a) => a === 'user.departments_changed')).toHaveLength(2);
  });

  it('invites straight into a department, and filters the user list by department with or without subtree', async () => {
    const { org, ctx } = await adminOf();
    const s = rt.services;
    const { dir, div, unit } = await tree(ctx);
    const [inv] = await inviteUsers(ctx, {
      invitations: [{ email: `dept-${randomUUID()}@example.test`, role: 'viewer', departmentId: unit.id }],
    });
    const row = await s.db
      .selectFrom('user_departments')
      .selectAll()
      .where('user_id', '=', inv!.user.id)
      .execute();
    expect(row).toEqual([
      { org_id: org.id, user_id: inv!.user.id, department_id: unit.id, is_primary: true },
    ]);
    const other = await createUser(s, org.id);
    await setUserDepartments(ctx, {
      userId: other.id,
      primaryDepartmentId: dir.id,
      secondaryDepartmentIds: [],
    });

    const ids = async (departmentId: string, includeSubtree: boolean) =>
      (await listUsers(ctx, { filter: { departmentId, includeSubtree } })).edges.map((e) => e.node.id).sort();
    expect(await ids(dir.id, false)).toEqual([other.id]);
    expect(await ids(dir.id, true)).toEqual([inv!.user.id, other.id].sort());
    expect(await ids(div.id, false)).toEqual([]);
    expect(await ids(div.id, true)).toEqual([inv!.user.id]);
    // The counts agree with the pages (the subtree is read by its path before the query).
    const counted = async (departmentId: string, includeSubtree: boolean) => [
      (await listUsers(ctx, { filter: { departmentId, includeSubtree } })).totalCount,
      await countUsers(ctx, { filter: { departmentId, includeSubtree }, exact: true }),
    ];
    expect(await counted(dir.id, true)).toEqual([
      { value: 2, exact: true },
      { value: 2, exact: true },
    ]);
    // A department that does not exist, or belongs to another organisation, matches nobody.
    const foreign = await tree((await adminOf()).ctx);
    for (const id of [randomUUID(), foreign.dir.id]) {
      expect(await ids(id, true)).toEqual([]);
      expect(await ids(id, false)).toEqual([]);
      expect(await counted(id, true)).toEqual([
        { value: 0, exact: true },
        { value: 0, exact: true },
      ]);
    }

    await expect(
      inviteUsers(ctx, {
        invitations: [
          { email: `x-${randomUUID()}@example.test`, role: 'viewer', departmentId: randomUUID() },
        ],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', details: { field: 'invitations.0.departmentId' } });
  });
});

describe('tenancy and permissions', () => {
  it('answers another organisation’s departments and users like missing ones, and a viewer is FORBIDDEN', async () => {
    const { ctx } = await adminOf();
    const foreign = await adminOf();
    const theirs = await createDepartment(foreign.ctx, { name: 'Theirs' });
    const mine = await createDepartment(ctx, { name: 'Mine' });
    const stranger = await createUser(rt.services, foreign.org.id);
    const missing = randomUUID();
    for (const id of [theirs.id, missing]) {
      await expect(updateDepartment(ctx, { departmentId: id, name: 'x' })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(moveDepartment(ctx, { departmentId: id, newParentId: null })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(moveDepartment(ctx, { departmentId: mine.id, newParentId: id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(archiveDepartment(ctx, { departmentId: id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(setDepartmentManagers(ctx, { departmentId: id, userIds: [] })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(createDepartment(ctx, { name: 'x', parentId: id })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(
        setUserDepartments(ctx, {
          userId: foreign.admin.id,
          primaryDepartmentId: null,
          secondaryDepartmentIds: [],
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    }
    await expect(
      setDepartmentManagers(ctx, { departmentId: mine.id, userIds: [stranger.id] }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const { admin } = await adminOf();
    await expect(
      setUserDepartments(ctx, {
        userId: admin.id,
        primaryDepartmentId: theirs.id,
        secondaryDepartmentIds: [],
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const viewer = await adminOf('viewer');
    const vd = await createDepartment(ctx, { name: 'Seen' });
    await expect(listDepartments(viewer.ctx)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createDepartment(viewer.ctx, { name: 'x' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(updateDepartment(viewer.ctx, { departmentId: vd.id, name: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      moveDepartment(viewer.ctx, { departmentId: vd.id, newParentId: null }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(archiveDepartment(viewer.ctx, { departmentId: vd.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      setDepartmentManagers(viewer.ctx, { departmentId: vd.id, userIds: [] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      setUserDepartments(viewer.ctx, {
        userId: viewer.admin.id,
        primaryDepartmentId: null,
        secondaryDepartmentIds: [],
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
