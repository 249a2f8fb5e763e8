/** The SCIM filter language: parse (RFC 7644 §3.4.2.2, §3.5.2) and compile to SQL over Users and Groups. */
export type { AttributePath, CompareOperator, Filter, FilterValue, PatchPath } from './ast.js';
export { formatAttributePath } from './ast.js';
export { ScimFilterError, type ScimFilterErrorType } from './errors.js';
export { filterLimits } from './limits.js';
export { parseAttributePath, parseFilter, parsePatchPath } from './parse-filter.js';
export { compileUserFilter, type UserFilterOptions } from './compile-user-filter.js';
export { sortExpression, userSortExpression } from './sort-expression.js';
export { compileFilter } from './compile-filter.js';
export type { FilterResource } from './resource.js';
export { coreUserSchema, enterpriseUserSchema } from './user-attributes.js';
export { coreGroupSchema, groupFilterResource } from './group-attributes.js';
export { userFilterResource } from './user-attributes.js';
