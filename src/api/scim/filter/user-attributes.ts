import { sql } from 'kysely';
import {
  lookUp,
  metaAttribute,
  rowContainer,
  text,
  type Attribute,
  type FilterResource,
  type Predicate,
} from './resource.js';

/**
 * The SCIM User resource's filterable and sortable attributes, and where each lives in Roster's tables
 * (docs/scim-attributes.md). The SCIM edge answers `/Schemas` and builds resources from the same choices.
 */

export const coreUserSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const enterpriseUserSchema = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The container of a user's department memberships (`groups`): user_departments `membership` joined to
 * departments `department`. Everything else is on the user's row. */
export const groupsContainer = 'groups';

/** Keyed by lower-cased name: attribute names are case-insensitive (RFC 7643 §2.1). */
const core: Record<string, Attribute> = {
  id: { type: 'uuid', column: 'id', caseExact: true },
  externalid: text('external_id', true),
  username: { type: 'string', column: 'email_normalized', caseExact: false, folded: true },
  name: {
    type: 'complex',
    multiValued: false,
    container: rowContainer,
    subAttributes: {
      givenname: text('given_name'),
      familyname: text('family_name'),
      formatted: text('display_name'),
    },
  },
  displayname: text('display_name'),
  title: text('job_title'),
  active: { type: 'boolean', sql: 'active' },
  emails: {
    type: 'complex',
    multiValued: true,
    container: rowContainer,
    subAttributes: {
      value: { type: 'string', column: 'email_normalized', caseExact: false, folded: true },
      type: { type: 'constant', value: 'work', caseExact: false },
      primary: { type: 'constant', value: true, caseExact: false },
    },
    valueSubAttribute: 'value',
    sortSubAttribute: 'value',
  },
  roles: {
    type: 'complex',
    multiValued: true,
    container: rowContainer,
    subAttributes: { value: text('role'), primary: { type: 'constant', value: true, caseExact: false } },
    valueSubAttribute: 'value',
    sortSubAttribute: 'value',
  },
  groups: {
    type: 'complex',
    multiValued: true,
    container: groupsContainer,
    subAttributes: {
      value: { type: 'uuid', column: 'membership.department_id', caseExact: false },
      display: text('department.name'),
      type: { type: 'constant', value: 'direct', caseExact: false },
    },
    valueSubAttribute: 'value',
  },
  meta: metaAttribute('User'),
};

const enterprise: Record<string, Attribute> = {
  employeenumber: text('employee_number'),
  costcenter: text('cost_center'),
  organization: text('organization_name'),
  division: text('division'),
  department: text('hr_department'),
  manager: {
    type: 'complex',
    multiValued: false,
    container: rowContainer,
    subAttributes: { value: { type: 'uuid', column: 'manager_id', caseExact: false } },
    valueSubAttribute: 'value',
  },
};

/**
 * The attribute a path names: a bare name is a core attribute; the enterprise extension's are reached
 * through their schema URN (RFC 7644 §3.10). Unknown: undefined.
 */
export function userAttribute(schema: string | undefined, name: string): Attribute | undefined {
  const table =
    schema === undefined || schema.toLowerCase() === coreUserSchema.toLowerCase()
      ? core
      : schema.toLowerCase() === enterpriseUserSchema.toLowerCase()
        ? enterprise
        : undefined;
  return table === undefined ? undefined : lookUp(table, name);
}

/** Users for the filter compiler: a user's live department memberships are an EXISTS. */
export const userFilterResource: FilterResource = {
  attribute: userAttribute,
  within: (_container, predicate: Predicate, users) =>
    sql`exists (select 1 from user_departments as membership
      join departments as department on department.org_id = membership.org_id and department.id = membership.department_id
      where membership.user_id = ${users}.id and membership.org_id = ${users}.org_id
        and department.archived_at is null and ${predicate})`,
};
