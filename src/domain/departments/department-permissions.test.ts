import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessFor, defaultManagerPermissions } from '../../authz/access.js';
import type { RoleKey } from '../../authz/roles.js';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { createDepartment } from './create-department.js';
import { assertHeldOrgWide, changedPermissions, notHeldOrgWide } from './department-permissions.js';
import { setDepartmentManagers } from './set-department-managers.js';
import { updateDepartment } from './update-department.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function orgWith(role: RoleKey = 'administrator') {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const other = role === 'administrator' ? admin : await createUser(s, org.id, { role });
  return {
    org,
    admin: contextFor(s, await actorFor(s, admin)),
    actor: contextFor(s, await actorFor(s, other)),
  };
}

async function events(orgId: string, action: string) {
  return rt.services.db
    .selectFrom('audit_events')
    .select(['action', 'target_id', 'changes'])
    .where('org_id', '=', orgId)
    .where('action', '=', action)
    .orderBy('seq')
    .execute();
}

const storedSets = (id: string) =>
  rt.services.db
    .selectFrom('departments')
    .select(['added_permissions', 'manager_permissions', 'version'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();

describe('department permission sets', () => {
  it('are set on create, stored deduplicated in catalogue order, and audited with the creation', async () => {
    const { org, admin } = await orgWith();
    const fraud = await createDepartment(admin, {
      name: 'Fraud Unit',
      addedPermissions: ['reports:export', 'investigations:export', 'reports:export'],
      managerPermissions: ['users:deactivate', 'users:read'],
    });
    expect(fraud).toMatchObject({
      added_permissions: ['investigations:export', 'reports:export'],
      manager_permissions: ['users:read', 'users:deactivate'],
    });
    const plain = await createDepartment(admin, { name: 'Plain' });
    expect(plain).toMatchObject({ added_permissions: [], manager_permissions: null });
    const created = await events(org.id, 'department.created');
    expect(created.map((e) => e.changes)).toEqual([
      expect.objectContaining({
        addedPermissions: ['investigations:export', 'reports:export'],
        managerPermissions: ['users:read', 'users:deactivate'],
      }),
      expect.objectContaining({ addedPermissions: [], managerPermissions: null }),
    ]);
  });

  it('refuse permissions outside the allowed choices, naming the field, and write nothing', async () => {
    const { org, admin } = await orgWith();
    const dept = await createDepartment(admin, { name: 'Unit' });
    const cases: [Record<string, unknown>, string][] = [
      [{ addedPermissions: ['users:read'] }, 'addedPermissions'], // administration is never added
      [{ addedPermissions: ['nonsense:do'] }, 'addedPermissions'],
      [{ managerPermissions: ['investigations:export'] }, 'managerPermissions'], // managers administer only
      [{ managerPermissions: ['departments:manage'] }, 'managerPermissions'],
      [{ managerPermissions: ['organization:manage_ownership'] }, 'managerPermissions'],
    ];
    for (const [fields, field] of cases) {
      await expect(createDepartment(admin, { name: 'X', ...fields })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field },
      });
      await expect(updateDepartment(admin, { departmentId: dept.id, ...fields })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field },
      });
    }
    expect(await storedSets(dept.id)).toMatchObject({ added_permissions: [], manager_permissions: null });
    expect(await events(org.id, 'department.updated')).toEqual([]);
    expect(await events(org.id, 'department.created')).toHaveLength(1);
  });

  it('are changed by updateDepartment with from/to in the audit; null resets; the same set is no change', async () => {
    const { org, admin } = await orgWith();
    const dept = await createDepartment(admin, { name: 'Fraud Unit' });

    await updateDepartment(admin, { departmentId: dept.id, addedPermissions: ['investigations:export'] });
    await updateDepartment(admin, {
      departmentId: dept.id,
      managerPermissions: ['users:read', 'users:suspend'],
    });
    // Same sets in another order, and absent fields: nothing to record.
    await updateDepartment(admin, {
      departmentId: dept.id,
      addedPermissions: ['investigations:export'],
      managerPermissions: ['users:suspend', 'users:read'],
    });
    await updateDepartment(admin, { departmentId: dept.id, name: 'Fraud Unit' });
    expect(await storedSets(dept.id)).toMatchObject({
      added_permissions: ['investigations:export'],
      manager_permissions: ['users:read', 'users:suspend'],
      version: dept.version + 2,
    });
    // null: no added permissions; back to the default manager set.
    await updateDepartment(admin, {
      departmentId: dept.id,
      addedPermissions: null,
      managerPermissions: null,
    });
    expect(await storedSets(dept.id)).toMatchObject({ added_permissions: [], manager_permissions: null });
    // An empty manager set is a set of its own: managers then get nothing.
    await updateDepartment(admin, { departmentId: dept.id, managerPermissions: [] });
    expect(await storedSets(dept.id)).toMatchObject({ manager_permissions: [] });

    expect((await events(org.id, 'department.updated')).map((e) => e.changes)).toEqual([
      { addedPermissions: { from: [], to: ['investigations:export'] } },
      { managerPermissions: { from: null, to: ['users:read', 'users:suspend'] } },
      {
        addedPermissions: { from: ['investigations:export'], to: [] },
        managerPermissions: { from: ['users:read', 'users:suspend'], to: null },
      },
      { managerPermissions: { from: null, to: [] } },
    ]);
  });

  it('a User Manager cannot add investigations:export to a department; an Administrator can', async () => {
    const { org, admin, actor } = await orgWith('user_manager');
    const dept = await createDepartment(admin, { name: 'Fraud Unit' });
    // departments:manage is checked first; the User Manager does not hold it.
    await expect(
      updateDepartment(actor, { departmentId: dept.id, addedPermissions: ['investigations:export'] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      createDepartment(actor, { name: 'Mine', addedPermissions: ['investigations:export'] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await storedSets(dept.id)).toMatchObject({ added_permissions: [] });

    const updated = await updateDepartment(admin, {
      departmentId: dept.id,
      addedPermissions: ['investigations:export'],
    });
    expect(updated.added_permissions).toEqual(['investigations:export']);
    expect(await events(org.id, 'department.updated')).toHaveLength(1);
  });

  it('naming managers needs departments:manage and the department’s whole manager set; removing needs no more', async () => {
    const { org, admin, actor } = await orgWith('user_manager');
    const dept = await createDepartment(admin, {
      name: 'Vetting',
      managerPermissions: ['users:read', 'users:deactivate'],
    });
    const lead = await createUser(rt.services, org.id, { role: 'viewer' });
    await expect(
      setDepartmentManagers(actor, { departmentId: dept.id, userIds: [lead.id] }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // The Administrator holds users:deactivate org-wide: allowed, audited as before.
    await setDepartmentManagers(admin, { departmentId: dept.id, userIds: [lead.id] });
    await setDepartmentManagers(admin, { departmentId: dept.id, userIds: [] });
    expect((await events(org.id, 'department.managers_changed')).map((e) => e.changes)).toEqual([
      { managers: { from: [], to: [lead.id] } },
      { managers: { from: [lead.id], to: [] } },
    ]);
  });
});

/**
 * "Nobody can grant what they do not hold". With the predefined roles only Owners and Administrators hold
 * `departments:manage`, and they hold every permission a department can carry, so the commands above
 * cannot reach PERMISSION_NOT_HELD today; the rule they apply is checked here on other actors' access.
 */
describe('the not-held rule', () => {
  const userActor = (role: RoleKey) =>
    ({ type: 'user', userId: 'u', orgId: 'o', role, sessionId: 's' }) as const;

  it('refuses a User Manager adding investigations:export, naming the field and the permission', () => {
    const access = accessFor(userActor('user_manager'));
    expect(() => assertHeldOrgWide(access, 'addedPermissions', ['investigations:export'])).toThrow(
      expect.objectContaining({
        code: 'PERMISSION_NOT_HELD',
        details: { field: 'addedPermissions', permissions: ['investigations:export'] },
      }),
    );
    // ... unless a department of theirs already gives it to them.
    const placed = accessFor(userActor('user_manager'), [], ['investigations:export']);
    expect(() => assertHeldOrgWide(placed, 'addedPermissions', ['investigations:export'])).not.toThrow();
    expect(() =>
      assertHeldOrgWide(accessFor(userActor('administrator')), 'addedPermissions', ['investigations:export']),
    ).not.toThrow();
  });

  it('refuses a User Manager naming a manager of a department whose set includes users:deactivate', () => {
    const access = accessFor(userActor('user_manager'));
    expect(notHeldOrgWide(access, ['users:read', 'users:deactivate'])).toEqual(['users:deactivate']);
    expect(notHeldOrgWide(access, defaultManagerPermissions)).toEqual([]);
  });

  it('counts what is removed as much as what is added, both ways', () => {
    expect(changedPermissions(defaultManagerPermissions, ['users:read', 'users:deactivate'])).toEqual([
      'users:invite',
      'users:suspend',
      'users:reactivate',
      'users:deactivate',
      'users:change_role',
      'invitations:read',
      'invitations:resend',
      'invitations:revoke',
      'departments:read',
    ]);
    expect(changedPermissions(['reports:export'], ['reports:export'])).toEqual([]);
  });
});
