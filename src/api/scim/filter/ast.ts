/** The typed tree of a SCIM filter (RFC 7644 §3.4.2.2) and of a PATCH path (§3.5.2). */

export const compareOperators = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le'] as const;
export type CompareOperator = (typeof compareOperators)[number];

/** A JSON literal of the filter: string, number, true, false or null. */
export type FilterValue = string | number | boolean | null;

/** `[URI ":"] ATTRNAME ["." subAttr]`, spelled as the client wrote it (names compare case-insensitively). */
export interface AttributePath {
  /** The schema URN before the attribute name, without the final colon; absent for a bare name. */
  schema?: string;
  name: string;
  subAttribute?: string;
}

export type Filter =
  | { kind: 'compare'; path: AttributePath; op: CompareOperator; value: FilterValue }
  | { kind: 'present'; path: AttributePath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /** `attrPath "[" valFilter "]"`: the inner filter's paths are relative to one value of `path`. */
  | { kind: 'valuePath'; path: AttributePath; filter: Filter };

/** A PATCH operation's `path`: an attribute, or the values of one selected by a filter, then a sub-attribute. */
export type PatchPath =
  | { kind: 'attribute'; path: AttributePath }
  | { kind: 'valuePath'; path: AttributePath; filter: Filter; subAttribute?: string };

/** The path as text, e.g. `urn:…:User:manager.value`: for messages and for the test oracle. */
export function formatAttributePath(p: AttributePath): string {
  return `${p.schema === undefined ? '' : `${p.schema}:`}${p.name}${p.subAttribute === undefined ? '' : `.${p.subAttribute}`}`;
}
