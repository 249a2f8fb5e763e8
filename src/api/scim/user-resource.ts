import type { UserRow } from '../../db/schema.js';
import { coreUserSchema, enterpriseUserSchema } from './filter/index.js';

/** A department membership as the User resource's read-only `groups` lists it. */
export interface UserGroup {
  departmentId: string;
  name: string;
}

export type ScimUser = Record<string, unknown> & { id: string; schemas: string[] };

/** `meta.version`: the row's version, which every write of the user bumps (a weak ETag, RFC 7644 §3.14). */
export function userEtag(row: Pick<UserRow, 'version'>): string {
  return `W/"${row.version}"`;
}

/**
 * A Roster user as a SCIM User (docs/scim-attributes.md): the core schema and, when any of its attributes
 * has a value, the enterprise extension. Absent values are omitted, never `null` (RFC 7643 §2.5). Pure.
 */
export function scimUserOf(row: UserRow, groups: readonly UserGroup[], baseUrl: string): ScimUser {
  const name = compact({
    givenName: row.given_name,
    familyName: row.family_name,
    formatted: row.display_name || null,
  });
  const enterprise = compact({
    employeeNumber: row.employee_number,
    costCenter: row.cost_center,
    organization: row.organization_name,
    division: row.division,
    department: row.hr_department,
    manager: row.manager_id ? { value: row.manager_id, $ref: `${baseUrl}/Users/${row.manager_id}` } : null,
  });
  const hasEnterprise = Object.keys(enterprise).length > 0;
  return {
    schemas: hasEnterprise ? [coreUserSchema, enterpriseUserSchema] : [coreUserSchema],
    id: row.id,
    ...compact({ externalId: row.external_id }),
    userName: row.email,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    ...compact({ displayName: row.display_name || null, title: row.job_title }),
    active: row.status === 'active' || row.status === 'invited',
    emails: [{ value: row.email, type: 'work', primary: true }],
    roles: [{ value: row.role, primary: true }],
    ...(groups.length > 0
      ? {
          groups: groups.map((g) => ({
            value: g.departmentId,
            display: g.name,
            type: 'direct',
            $ref: `${baseUrl}/Groups/${g.departmentId}`,
          })),
        }
      : {}),
    ...(hasEnterprise ? { [enterpriseUserSchema]: enterprise } : {}),
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${baseUrl}/Users/${row.id}`,
      version: userEtag(row),
    },
  };
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== null && v !== undefined && v !== '') out[k as keyof T] = v as T[keyof T];
  return out;
}
