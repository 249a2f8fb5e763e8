import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAccess } from '../../authz/load-access.js';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { archiveDepartment } from '../departments/archive-department.js';
import { createDepartment } from '../departments/create-department.js';
import { setDepartmentManagers } from '../departments/set-department-managers.js';
import { setUserDepartments } from '../departments/set-user-departments.js';
import { effectivePermissions } from './effective-permissions.js';
import { loadEffectivePermissionFacts } from './load-effective-permissions.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

describe('loadEffectivePermissionFacts', () => {
  it('reads in three queries what makes the same org-wide set and subtrees as the authorization check', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = contextFor(s, await actorFor(s, await createUser(s, org.id, { role: 'administrator' })));
    const dir = await createDepartment(admin, { name: 'Directorate', addedPermissions: ['reports:export'] });
    const fraud = await createDepartment(admin, {
      name: 'Fraud Unit',
      parentId: dir.id,
      addedPermissions: ['investigations:export'],
    });
    const team = await createDepartment(admin, { name: 'Team', parentId: fraud.id });
    const registry = await createDepartment(admin, {
      name: 'Registry',
      addedPermissions: ['documents:create'],
    });
    const closed = await createDepartment(admin, {
      name: 'Closed',
      managerPermissions: ['users:read', 'users:deactivate'],
    });
    const user = await createUser(s, org.id, { role: 'viewer' });
    await setUserDepartments(admin, {
      userId: user.id,
      primaryDepartmentId: team.id,
      secondaryDepartmentIds: [registry.id],
    });
    await setDepartmentManagers(admin, { departmentId: team.id, userIds: [user.id] });
    await setDepartmentManagers(admin, { departmentId: closed.id, userIds: [user.id] });
    // Archiving keeps the manager row; the archived department must give nothing.
    await archiveDepartment(admin, { departmentId: closed.id });

    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const facts = await loadEffectivePermissionFacts(s.db.withPlugin(counting), user);
    expect(queries).toBe(3);
    expect(facts.departments.map((d) => d.name).sort()).toEqual([
      'Closed',
      'Directorate',
      'Fraud Unit',
      'Registry',
      'Team',
    ]);

    const effective = effectivePermissions(facts);
    const access = await loadAccess(s.db, await actorFor(s, user));
    const orgWide = effective.filter((e) => e.scope.kind === 'organization').map((e) => e.permission);
    expect(orgWide.sort()).toEqual([...access.orgWide].sort());
    expect(orgWide).toEqual(
      expect.arrayContaining(['reports:export', 'investigations:export', 'documents:create']),
    );
    expect(effective.map((e) => e.permission)).not.toContain('users:deactivate');
    for (const e of effective.filter((x) => x.scope.kind === 'subtree')) {
      expect(e.scope).toEqual({ kind: 'subtree', departments: [expect.objectContaining({ id: team.id })] });
      expect(access.managed.filter((m) => m.permissions.has(e.permission)).map((m) => m.path)).toEqual([
        team.path,
      ]);
    }
  });
});
