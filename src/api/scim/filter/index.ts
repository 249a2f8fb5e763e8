/** The SCIM filter language: parse (RFC 7644 §3.4.2.2, §3.5.2) and compile to SQL over Users. */
export type { AttributePath, CompareOperator, Filter, FilterValue, PatchPath } from './ast.js';
export { formatAttributePath } from './ast.js';
export { ScimFilterError, type ScimFilterErrorType } from './errors.js';
export { filterLimits } from './limits.js';
export { parseAttributePath, parseFilter, parsePatchPath } from './parse-filter.js';
export { compileUserFilter, type UserFilterOptions } from './compile-user-filter.js';
export { userSortExpression } from './sort-users.js';
export { coreUserSchema, enterpriseUserSchema } from './user-attributes.js';
