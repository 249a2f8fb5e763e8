import type { DepartmentRow } from '../../db/schema.js';
import { coreGroupSchema } from './filter/index.js';

/** A member as a Group's `members` lists it. */
export interface GroupMember {
  userId: string;
  displayName: string;
}

/** `meta.version`: the department's version, bumped by a change of its own attributes (not of its members). */
export function groupEtag(row: Pick<DepartmentRow, 'version'>): string {
  return `W/"${row.version}"`;
}

/**
 * A live department as a SCIM Group (docs/scim-attributes.md). `members` is left out when null (not asked
 * for: a large group's members are read only when the client wants them). Pure.
 */
export function scimGroupOf(
  row: DepartmentRow,
  members: readonly GroupMember[] | null,
  baseUrl: string,
): Record<string, unknown> & { id: string } {
  return {
    schemas: [coreGroupSchema],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    displayName: row.name,
    ...(members === null
      ? {}
      : {
          members: members.map((m) => ({
            value: m.userId,
            ...(m.displayName ? { display: m.displayName } : {}),
            type: 'User',
            $ref: `${baseUrl}/Users/${m.userId}`,
          })),
        }),
    meta: {
      resourceType: 'Group',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${baseUrl}/Groups/${row.id}`,
      version: groupEtag(row),
    },
  };
}
