import type { RawBuilder, SqlBool } from 'kysely';

/**
 * What a SCIM resource type (Users, Groups) tells the filter compiler and `sortBy`: where each attribute's
 * values live in Roster's tables (docs/scim-attributes.md). `caseExact` follows RFC 7643 (§3.1, §4.1-4.3,
 * and the schemas of §8.7.1).
 */

export type Predicate = RawBuilder<SqlBool>;

/** A value stored (or fixed) for the attribute; how the compiler compares it. */
export type Leaf =
  /** A text column; `folded` when the column already holds the value lower-cased (email_normalized). */
  | { type: 'string'; column: string; caseExact: boolean; folded?: boolean }
  /** A uuid column: compared as its canonical lower-case text. */
  | { type: 'uuid'; column: string; caseExact: boolean }
  /** A boolean computed from columns (a user's `active`). */
  | { type: 'boolean'; sql: 'active' }
  | { type: 'dateTime'; column: string }
  /** The same for every value (`emails.type` is "work"). */
  | { type: 'constant'; value: string | boolean; caseExact: boolean };

/**
 * Where a complex attribute's values are: on the resource's own row (`rowContainer`: at most one value, or
 * a value per column), or one row per value in rows of their own (a user's `groups`, a group's `members`),
 * which the resource reaches through `within`. Columns of the row are the resource table's; those of
 * another container are qualified by the aliases `within` gives its subquery.
 */
export const rowContainer = 'row';

export interface ComplexAttribute {
  type: 'complex';
  multiValued: boolean;
  container: string;
  subAttributes: Record<string, Leaf>;
  /** The sub-attribute a filter on the attribute itself compares (`emails co "x"` is `emails.value co "x"`). */
  valueSubAttribute?: string;
  /** The value sortBy uses (RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value). */
  sortSubAttribute?: string;
}

export type Attribute = Leaf | ComplexAttribute;

export interface FilterResource {
  /** The attribute a path names (schema URN or none, name case-insensitive); unknown: undefined. */
  attribute(schema: string | undefined, name: string): Attribute | undefined;
  /** `predicate` on one of the rows of `container` belonging to the resource row `table`, as an EXISTS. */
  within(container: string, predicate: Predicate, table: RawBuilder<unknown>): Predicate;
}

export const text = (column: string, caseExact = false): Leaf => ({ type: 'string', column, caseExact });

/** The common attribute `meta` (RFC 7643 §3.1) of a resource whose row has `created_at` and `updated_at`. */
export function metaAttribute(resourceType: string): ComplexAttribute {
  return {
    type: 'complex',
    multiValued: false,
    container: rowContainer,
    subAttributes: {
      created: { type: 'dateTime', column: 'created_at' },
      lastmodified: { type: 'dateTime', column: 'updated_at' },
      resourcetype: { type: 'constant', value: resourceType, caseExact: true },
    },
  };
}

export function subAttributeOf(attribute: ComplexAttribute, name: string): Leaf | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(attribute.subAttributes, key) ? attribute.subAttributes[key] : undefined;
}

/** Looks a name up in a table keyed by lower-cased names (attribute names are case-insensitive, §2.1). */
export function lookUp<T>(table: Record<string, T>, name: string): T | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
