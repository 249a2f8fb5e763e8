import { randomUUID } from 'node:crypto';
import { roleKeys } from '../../src/authz/roles.js';
import type { Services } from '../../src/domain/shared/context.js';
import { normalizeEmail, searchTextOf } from '../../src/domain/users/user-record.js';
import { Random } from './random.js';

/** A user as a SCIM client sees it (docs/scim-attributes.md), built from the rows the dataset wrote. */
export interface ScimUserView {
  id: string;
  externalId: string | null;
  userName: string;
  name: { givenName: string | null; familyName: string | null; formatted: string };
  displayName: string;
  title: string | null;
  active: boolean;
  emails: { value: string; type: string; primary: boolean }[];
  roles: { value: string; primary: boolean }[];
  groups: { value: string; display: string; type: string }[];
  meta: { created: Date; lastModified: Date; resourceType: string };
  enterprise: {
    employeeNumber: string | null;
    costCenter: string | null;
    organization: string | null;
    division: string | null;
    department: string | null;
    manager: { value: string | null };
  };
}

/** Words the dataset is made of, so generated filters hit: mixed case and LIKE's own characters. */
export const vocabulary = {
  given: [
    'Ada',
    'grace',
    'ALAN',
    'Edsger',
    'barbara',
    'Ken',
    'Dennis',
    'Linus',
    'Margaret',
    'Tim',
    'an_na',
    'Zoë',
  ],
  family: [
    'Lovelace',
    'Hopper',
    'turing',
    'DIJKSTRA',
    'Liskov',
    'Thompson',
    'Ritchie',
    'Hamilton',
    "O'Malley",
    '50%',
  ],
  domains: ['example.com', 'Example.ORG', 'corp.test', 'x_y.test', 'pct%.test'],
  titles: ['Engineer', 'senior engineer', 'Lead 50%', 'R_D lead', 'back\\slash', 'Manager', 'CEO', ''],
  departments: ['Engineering', 'sales', 'Legal', 'R&D', 'Support_1', 'Finance%'],
  orgUnits: ['Roster Inc', 'roster gmbh', 'ACME', 'a\\b'],
  statuses: ['active', 'invited', 'suspended', 'deactivated'],
};

export interface ScimDataset {
  orgId: string;
  users: ScimUserView[];
  departments: { id: string; name: string; archived: boolean }[];
}

/**
 * Changes the case of ASCII letters only: PostgreSQL's lower() and JavaScript's toLowerCase() agree on them
 * everywhere; beyond ASCII lower() follows the database's LC_CTYPE (C.UTF-8 folds É, plain C does not).
 */
export const randomCase = (rng: Random, s: string) =>
  [...s]
    .map((c) =>
      /[a-z]/i.test(c) && rng.chance(0.2) ? (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase()) : c,
    )
    .join('');

/**
 * Writes `count` users of one organisation with every SCIM-mapped column varied (nulls and empty strings
 * included), department memberships (some departments archived) and managers; returns the SCIM view of each.
 */
export async function seedScimUsers(
  services: Services,
  orgId: string,
  count: number,
  seed: number,
): Promise<ScimDataset> {
  const rng = new Random(seed);
  const db = services.db;
  const departments = vocabulary.departments.map((name, i) => ({
    id: randomUUID(),
    name: i === 0 ? name : randomCase(rng, name),
    archived: i === vocabulary.departments.length - 1,
  }));
  await db
    .insertInto('departments')
    .values(
      departments.map((d) => ({
        id: d.id,
        org_id: orgId,
        name: d.name,
        path: `${d.id}/`,
        depth: 0,
        archived_at: d.archived ? new Date('2026-01-01T00:00:00Z') : null,
      })),
    )
    .execute();

  const users: ScimUserView[] = [];
  const base = Date.parse('2025-01-01T00:00:00Z');
  const optional = <T>(v: T, p = 0.75): T | null => (rng.chance(p) ? v : null);
  for (let start = 0; start < count; start += 1000) {
    const rows = [];
    const memberships: { org_id: string; user_id: string; department_id: string; is_primary: boolean }[] = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const given = optional(rng.pick(vocabulary.given), 0.85);
      const family = optional(rng.pick(vocabulary.family), 0.85);
      const displayName = rng.chance(0.1) ? '' : [given, family].filter((x) => x).join(' ');
      const local = `${(given ?? 'user').toLowerCase()}.${(family ?? 'x').toLowerCase().replace(/[^a-z0-9%]/g, '')}${i}`;
      const email = randomCase(rng, `${local}@${rng.pick(vocabulary.domains)}`).replace(/ë/g, 'e');
      const created = new Date(base + rng.int(500 * 86_400_000));
      const modified = new Date(created.getTime() + rng.int(100 * 86_400_000));
      const status = rng.pick(vocabulary.statuses);
      const role = rng.pick(roleKeys);
      const managerIndex = start > 0 && rng.chance(0.6) ? rng.int(start) : -1;
      const user: ScimUserView = {
        id: randomUUID(),
        externalId: optional(`${rng.pick(['Ext', 'ext', 'EXT'])}-${i}`, 0.8),
        userName: email,
        name: { givenName: given, familyName: family, formatted: displayName },
        displayName,
        title: optional(rng.pick(vocabulary.titles), 0.7),
        active: status === 'active' || status === 'invited',
        emails: [{ value: email, type: 'work', primary: true }],
        roles: [{ value: role, primary: true }],
        groups: [],
        meta: { created, lastModified: modified, resourceType: 'User' },
        enterprise: {
          employeeNumber: optional(`E${rng.int(100000)}`, 0.7),
          costCenter: optional(rng.pick(['CC-1', 'cc-2', 'CC_3', '4%'])),
          organization: optional(rng.pick(vocabulary.orgUnits)),
          division: optional(rng.pick(['North', 'south', 'EAST', ''])),
          department: optional(rng.pick(vocabulary.departments)),
          manager: { value: managerIndex >= 0 ? (users[managerIndex] as ScimUserView).id : null },
        },
      };
      const chosen = new Set<number>();
      const k = rng.int(4);
      for (let j = 0; j < k; j++) chosen.add(rng.int(departments.length));
      [...chosen].forEach((d, j) => {
        const dept = departments[d] as (typeof departments)[number];
        memberships.push({ org_id: orgId, user_id: user.id, department_id: dept.id, is_primary: j === 0 });
        if (!dept.archived) user.groups.push({ value: dept.id, display: dept.name, type: 'direct' });
      });
      users.push(user);
      rows.push({
        id: user.id,
        org_id: orgId,
        email,
        email_normalized: normalizeEmail(email),
        display_name: displayName,
        search_text: searchTextOf(displayName, email),
        job_title: user.title,
        role,
        status,
        created_at: created,
        updated_at: modified,
        status_changed_at: created,
        external_id: user.externalId,
        given_name: given,
        family_name: family,
        employee_number: user.enterprise.employeeNumber,
        cost_center: user.enterprise.costCenter,
        organization_name: user.enterprise.organization,
        division: user.enterprise.division,
        hr_department: user.enterprise.department,
        manager_id: user.enterprise.manager.value,
      });
    }
    await db.insertInto('users').values(rows).execute();
    if (memberships.length > 0) await db.insertInto('user_departments').values(memberships).execute();
  }
  return { orgId, users, departments };
}
