/**
 * The SCIM User resource's filterable and sortable attributes, and where each lives in Roster's tables
 * (docs/scim-attributes.md). The SCIM edge answers `/Schemas` and builds resources from the same choices.
 * `caseExact` follows RFC 7643 (§3.1, §4.1, §4.3 and the schema of §8.7.1).
 */

export const coreUserSchema = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const enterpriseUserSchema = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A value stored (or fixed) for the attribute; how the compiler compares it. */
export type UserLeaf =
  /** A text column; `folded` when the column already holds the value lower-cased (email_normalized). */
  | { type: 'string'; column: string; caseExact: boolean; folded?: boolean }
  /** A uuid column: compared as its canonical lower-case text. */
  | { type: 'uuid'; column: string; caseExact: boolean }
  /** A boolean computed from columns (`active`). */
  | { type: 'boolean'; sql: 'active' }
  | { type: 'dateTime'; column: string }
  /** The same for every value (`emails.type` is "work"). */
  | { type: 'constant'; value: string | boolean; caseExact: boolean };

/**
 * Columns of the `user` container are the users table's; those of `groups` are qualified by the aliases of
 * the membership subquery (`membership`: user_departments, `department`: departments).
 *
 * Where a complex attribute's values are: on the user's row (at most one value: Roster keeps one email,
 * one role, one manager), or one row per value in the user's department memberships (`groups`).
 */
export type UserContainer = 'user' | 'groups';

export interface UserComplexAttribute {
  type: 'complex';
  multiValued: boolean;
  container: UserContainer;
  subAttributes: Record<string, UserLeaf>;
  /** The sub-attribute a filter on the attribute itself compares (`emails co "x"` is `emails.value co "x"`). */
  valueSubAttribute?: string;
  /** The value sortBy uses (RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value). */
  sortSubAttribute?: string;
}

export type UserAttribute = UserLeaf | UserComplexAttribute;

const text = (column: string, caseExact = false): UserLeaf => ({ type: 'string', column, caseExact });

/** Keyed by lower-cased name: attribute names are case-insensitive (RFC 7643 §2.1). */
const core: Record<string, UserAttribute> = {
  id: { type: 'uuid', column: 'id', caseExact: true },
  externalid: text('external_id', true),
  username: { type: 'string', column: 'email_normalized', caseExact: false, folded: true },
  name: {
    type: 'complex',
    multiValued: false,
    container: 'user',
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
    container: 'user',
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
    container: 'user',
    subAttributes: { value: text('role'), primary: { type: 'constant', value: true, caseExact: false } },
    valueSubAttribute: 'value',
    sortSubAttribute: 'value',
  },
  groups: {
    type: 'complex',
    multiValued: true,
    container: 'groups',
    subAttributes: {
      value: { type: 'uuid', column: 'membership.department_id', caseExact: false },
      display: text('department.name'),
      type: { type: 'constant', value: 'direct', caseExact: false },
    },
    valueSubAttribute: 'value',
  },
  meta: {
    type: 'complex',
    multiValued: false,
    container: 'user',
    subAttributes: {
      created: { type: 'dateTime', column: 'created_at' },
      lastmodified: { type: 'dateTime', column: 'updated_at' },
      resourcetype: { type: 'constant', value: 'User', caseExact: true },
    },
  },
};

const enterprise: Record<string, UserAttribute> = {
  employeenumber: text('employee_number'),
  costcenter: text('cost_center'),
  organization: text('organization_name'),
  division: text('division'),
  department: text('hr_department'),
  manager: {
    type: 'complex',
    multiValued: false,
    container: 'user',
    subAttributes: { value: { type: 'uuid', column: 'manager_id', caseExact: false } },
    valueSubAttribute: 'value',
  },
};

/**
 * The attribute a path names: a bare name is a core attribute; the enterprise extension's are reached
 * through their schema URN (RFC 7644 §3.10). Unknown: undefined.
 */
export function userAttribute(schema: string | undefined, name: string): UserAttribute | undefined {
  const key = name.toLowerCase();
  const table =
    schema === undefined || schema.toLowerCase() === coreUserSchema.toLowerCase()
      ? core
      : schema.toLowerCase() === enterpriseUserSchema.toLowerCase()
        ? enterprise
        : undefined;
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

export function subAttributeOf(attribute: UserComplexAttribute, name: string): UserLeaf | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(attribute.subAttributes, key) ? attribute.subAttributes[key] : undefined;
}
