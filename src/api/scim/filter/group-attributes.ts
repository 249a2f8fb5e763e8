import { sql } from 'kysely';
import { lookUp, metaAttribute, text, type Attribute, type FilterResource } from './resource.js';

/**
 * The SCIM Group resource (RFC 7643 §4.2) as Roster keeps it: a live department (docs/scim-attributes.md).
 * Its members are the department's members who are not deactivated (a deactivated user is a deleted one to
 * SCIM), in user_departments `membership` joined to users `member`.
 */
export const coreGroupSchema = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const membersContainer = 'members';

const core: Record<string, Attribute> = {
  id: { type: 'uuid', column: 'id', caseExact: true },
  externalid: text('external_id', true),
  displayname: text('name'),
  members: {
    type: 'complex',
    multiValued: true,
    container: membersContainer,
    subAttributes: {
      value: { type: 'uuid', column: 'membership.user_id', caseExact: false },
      display: text('member.display_name'),
      type: { type: 'constant', value: 'User', caseExact: false },
    },
    valueSubAttribute: 'value',
  },
  meta: metaAttribute('Group'),
};

export function groupAttribute(schema: string | undefined, name: string): Attribute | undefined {
  if (schema !== undefined && schema.toLowerCase() !== coreGroupSchema.toLowerCase()) return undefined;
  return lookUp(core, name);
}

/** Groups for the filter compiler: `members[value eq "…"]` is an EXISTS on the membership index. */
export const groupFilterResource: FilterResource = {
  attribute: groupAttribute,
  within: (_container, predicate, departments) =>
    sql`exists (select 1 from user_departments as membership
      join users as member on member.org_id = membership.org_id and member.id = membership.user_id
      where membership.org_id = ${departments}.org_id and membership.department_id = ${departments}.id
        and member.status <> 'deactivated' and ${predicate})`,
};
