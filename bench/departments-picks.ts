// Which departments the listing scenarios read: the root (the whole organisation), the division nearest 7%
// of the users and the team nearest 200 members, with their member counts (primary or secondary).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../src/db/schema.js';
import type { DepartmentSpec } from './departments-tree.js';

export interface PickedDepartment {
  id: string;
  code: string;
  name: string;
  depth: number;
  path: string;
  /** Users with a membership (primary or secondary) in the department or its subtree. */
  members: number;
}

async function pick(db: Kysely<DB>, orgId: string, id: string): Promise<PickedDepartment> {
  const d = await db
    .selectFrom('departments')
    .select(['id', 'code', 'name', 'depth', 'path'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  const r = await sql<{ n: number }>`select count(distinct ud.user_id) as n from user_departments ud
    join departments s on s.id = ud.department_id
    where ud.org_id = ${orgId} and s.org_id = ${orgId} and s.path like ${`${d.path}%`}`.execute(db);
  return { ...d, code: d.code ?? '', members: Number(r.rows[0]?.n ?? 0) };
}

/** The root, the division nearest 7% of the users, the team nearest 200 members (by memberships). */
export async function pickDepartments(db: Kysely<DB>, orgId: string, users: number, tree: DepartmentSpec[]) {
  const counts = await sql<{ department_id: string; n: number }>`select department_id, count(*) as n
    from user_departments where org_id = ${orgId} group by department_id`.execute(db);
  const direct = new Map(counts.rows.map((r) => [r.department_id, Number(r.n)]));
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'code', 'path'])
    .where('org_id', '=', orgId)
    .execute();
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const subtree = (path: string) =>
    rows.filter((r) => r.path.startsWith(path)).reduce((s, r) => s + (direct.get(r.id) ?? 0), 0);
  const nearest = (
    level: DepartmentSpec['level'],
    size: (r: (typeof rows)[number]) => number,
    goal: number,
  ) =>
    tree
      .filter((d) => d.level === level)
      .map((d) => byCode.get(d.code)!)
      .map((r) => ({ r, gap: Math.abs(size(r) - goal) }))
      .sort((a, b) => a.gap - b.gap)[0]!.r.id;
  const root = byCode.get('ORG')!.id;
  const division = nearest('division', (r) => subtree(r.path), 0.07 * users);
  const team = nearest('team', (r) => direct.get(r.id) ?? 0, 200);
  return {
    root: await pick(db, orgId, root),
    division: await pick(db, orgId, division),
    team: await pick(db, orgId, team),
  };
}
