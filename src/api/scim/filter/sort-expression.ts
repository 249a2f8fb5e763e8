import { sql, type RawBuilder } from 'kysely';
import { formatAttributePath } from './ast.js';
import { ScimFilterError } from './errors.js';
import { parseAttributePath } from './parse-filter.js';
import { rowContainer, subAttributeOf, type FilterResource, type Leaf } from './resource.js';
import { userFilterResource } from './user-attributes.js';

/** The SQL value `sortBy` orders Users by: `sortExpression` over the users table. */
export function userSortExpression(sortBy: string, options: { table?: string } = {}): RawBuilder<unknown> {
  return sortExpression(sortBy, userFilterResource, options.table ?? 'users');
}

/**
 * The SQL value `sortBy` orders a resource type by (RFC 7644 §3.4.2.3): a singular attribute's value, a
 * multi-valued one's primary value when it is on the row (Roster keeps one email and one role, both
 * primary); case-insensitive attributes sort lower-cased; an empty string counts as no value. A missing
 * value is NULL, which PostgreSQL puts last ascending and first descending, as the RFC asks. The caller adds
 * `id` as the tie-breaker. Throws ScimFilterError (`invalidFilter`) for an unknown or unsortable attribute
 * (values in rows of their own: a user's `groups`, a group's `members`).
 */
export function sortExpression(sortBy: string, resource: FilterResource, table: string): RawBuilder<unknown> {
  const path = parseAttributePath(sortBy);
  const attribute = resource.attribute(path.schema, path.name);
  let leaf: Leaf | undefined;
  if (attribute?.type === 'complex') {
    const sub = path.subAttribute ?? attribute.sortSubAttribute;
    leaf =
      attribute.container === rowContainer && sub !== undefined ? subAttributeOf(attribute, sub) : undefined;
  } else if (path.subAttribute === undefined) {
    leaf = attribute;
  }
  if (leaf === undefined) {
    throw new ScimFilterError('invalidFilter', `Cannot sort by ${formatAttributePath(path)}`);
  }
  switch (leaf.type) {
    case 'string': {
      const c = sql.ref(`${table}.${leaf.column}`);
      return leaf.caseExact || leaf.folded ? sql`nullif(${c}, '')` : sql`nullif(lower(${c}), '')`;
    }
    case 'uuid':
    case 'dateTime':
      return sql.ref(`${table}.${leaf.column}`);
    case 'boolean':
      return sql`(${sql.ref(`${table}.status`)} in ('active', 'invited'))`;
    case 'constant':
      return sql`${sql.lit(leaf.value)}`;
  }
}
