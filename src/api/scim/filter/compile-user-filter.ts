import type { Expression, SqlBool } from 'kysely';
import type { Filter } from './ast.js';
import { compileFilter } from './compile-filter.js';
import { userFilterResource } from './user-attributes.js';

export interface UserFilterOptions {
  /** The name (or alias) of the users table in the query the predicate goes into; default `users`. */
  table?: string;
}

/** A SCIM filter over Users as one SQL predicate on the users table (docs/scim-attributes.md). */
export function compileUserFilter(filter: Filter, options: UserFilterOptions = {}): Expression<SqlBool> {
  return compileFilter(filter, userFilterResource, options.table ?? 'users');
}
