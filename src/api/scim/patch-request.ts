import { ScimError } from './scim-error.js';

export const patchOpSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const maxPatchOperations = 100;

export interface PatchOperation {
  /** Lower-cased: Entra ID sends "Replace", "Add", "Remove". */
  op: 'add' | 'remove' | 'replace';
  /** null: no path (the value is an object of attributes). */
  path: string | null;
  /** Whether the operation carried a `value` member at all. */
  hasValue: boolean;
  value: unknown;
}

/**
 * The operations of an RFC 7644 §3.5.2 PATCH request, checked as an envelope (schema, at most
 * `maxPatchOperations` operations, each op known, path a string); what a path and value mean is the
 * resource's. Pure.
 */
export function patchOperationsOf(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'The body must be a JSON object.');
  if (!Array.isArray(body.schemas) || !body.schemas.includes(patchOpSchema)) {
    throw new ScimError(400, 'invalidSyntax', `A PATCH request names the schema ${patchOpSchema}.`);
  }
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) {
    throw new ScimError(400, 'invalidSyntax', 'Operations is a non-empty array.');
  }
  if (ops.length > maxPatchOperations) {
    throw new ScimError(400, 'tooMany', `At most ${maxPatchOperations} operations per request.`);
  }
  return (ops as unknown[]).map((raw) => {
    if (!isObject(raw)) throw new ScimError(400, 'invalidSyntax', 'Each operation is an object.');
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw new ScimError(400, 'invalidSyntax', 'op is "add", "remove" or "replace".');
    }
    const path = raw.path === undefined || raw.path === null || raw.path === '' ? null : raw.path;
    if (path !== null && typeof path !== 'string')
      throw new ScimError(400, 'invalidPath', 'path is a string.');
    return { op, path, hasValue: 'value' in raw, value: raw.value };
  });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A member of a JSON object by name, compared case-insensitively (SCIM names are, RFC 7643 §2.1). */
export function memberOf(o: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : o[key];
}
