import type { Kysely } from 'kysely';
import type { DB, DepartmentRow, UserRow } from '../../db/schema.js';
import type { EffectivePermissionsInput } from './effective-permissions.js';

/**
 * What `effectivePermissions` needs about one user, in three queries: the memberships (with each
 * department's path), the managed departments, and every department on the membership paths. Archived
 * departments are loaded too: the pure function decides that they give nothing.
 */
export async function loadEffectivePermissionFacts(
  db: Kysely<DB>,
  user: Pick<UserRow, 'id' | 'org_id' | 'role'>,
): Promise<EffectivePermissionsInput<DepartmentRow>> {
  const orgId = user.org_id;
  const [memberships, managed] = await Promise.all([
    db
      .selectFrom('user_departments as ud')
      .innerJoin('departments as d', (j) =>
        j.onRef('d.id', '=', 'ud.department_id').onRef('d.org_id', '=', 'ud.org_id'),
      )
      .select(['ud.department_id', 'ud.is_primary', 'd.path'])
      .where('ud.org_id', '=', orgId)
      .where('ud.user_id', '=', user.id)
      .execute(),
    db
      .selectFrom('department_managers as m')
      .innerJoin('departments as d', (j) =>
        j.onRef('d.id', '=', 'm.department_id').onRef('d.org_id', '=', 'm.org_id'),
      )
      .selectAll('d')
      .where('m.org_id', '=', orgId)
      .where('m.user_id', '=', user.id)
      .execute(),
  ]);
  const onPaths = [...new Set(memberships.flatMap((m) => m.path.split('/').filter(Boolean)))];
  const lineage =
    onPaths.length === 0
      ? []
      : await db
          .selectFrom('departments')
          .selectAll()
          .where('org_id', '=', orgId)
          .where('id', 'in', onPaths)
          .execute();
  const departments = new Map<string, DepartmentRow>();
  for (const d of [...lineage, ...managed]) departments.set(d.id, d);
  return {
    role: user.role,
    memberships: memberships.map((m) => ({ departmentId: m.department_id, isPrimary: m.is_primary })),
    managedDepartmentIds: managed.map((d) => d.id),
    departments: [...departments.values()],
  };
}
