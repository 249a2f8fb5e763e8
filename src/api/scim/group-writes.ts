import { parsePatchPath, type AttributePath, type Filter } from './filter/index.js';
import { coreGroupSchema } from './filter/index.js';
import { isObject, memberOf, patchOperationsOf } from './patch-request.js';
import { ScimError } from './scim-error.js';

/**
 * What a Group request asks of a department (RFC 7644 §3.3, §3.5.1, §3.5.2; docs/scim-attributes.md):
 * its name, its externalId and its members by user id. Pure: no database, no request.
 */
export interface GroupFields {
  displayName?: string;
  /** null: cleared. */
  externalId?: string | null;
}

/** A PATCH as a change: new attribute values, then members added and removed, or all of them replaced. */
export interface GroupChange {
  fields: GroupFields;
  add: string[];
  remove: string[];
  /** The complete member list a `replace` (or a `remove` of all members) leaves; null: not replaced. */
  replaceMembers: string[] | null;
}

const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);
const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);

/** A POST or PUT body: displayName required, externalId and members optional; read-only ones are ignored. */
export function groupOfResource(body: unknown): {
  displayName: string;
  externalId: string | null;
  members: string[];
} {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'The body must be a JSON object.');
  if (Array.isArray(body.schemas) && !body.schemas.some((s) => sameText(s, coreGroupSchema))) {
    throw new ScimError(400, 'invalidSyntax', `A Group names the schema ${coreGroupSchema}.`);
  }
  const fields = fieldsOf(body);
  if (fields.displayName === undefined) throw invalidValue('displayName is required.');
  const members = memberOf(body, 'members');
  return {
    displayName: fields.displayName,
    externalId: fields.externalId ?? null,
    members: members === undefined || members === null ? [] : memberIdsOf(members),
  };
}

/**
 * A PATCH body as one change, its operations applied in order (a remove after an add of the same member
 * leaves them out, and so on). Paths: `displayName`, `externalId`, `members`, and `members[value eq "…"]`
 * (terms joined by `or`) to remove; path-less values are objects of those attributes (Entra ID, Okta).
 * Ops in any case; nothing else is writable (`id`, `meta` are read-only: `mutability`).
 */
export function groupChangeOf(body: unknown): GroupChange {
  const change: GroupChange = { fields: {}, add: [], remove: [], replaceMembers: null };
  const added = new Set<string>();
  const removed = new Set<string>();
  let replaced: Set<string> | null = null;
  const addMembers = (ids: string[]) => {
    for (const id of ids) {
      if (replaced) replaced.add(id);
      else {
        removed.delete(id);
        added.add(id);
      }
    }
  };
  const removeMembers = (ids: string[]) => {
    for (const id of ids) {
      if (replaced) replaced.delete(id);
      else {
        added.delete(id);
        removed.add(id);
      }
    }
  };
  const replaceMembers = (ids: string[]) => {
    added.clear();
    removed.clear();
    replaced = new Set(ids);
  };

  for (const { op, path, hasValue, value } of patchOperationsOf(body)) {
    if (path === null) {
      if (op === 'remove') throw new ScimError(400, 'noTarget', 'remove needs a path.');
      if (!isObject(value)) throw invalidValue('A value without a path is an object of attributes.');
      Object.assign(change.fields, fieldsOf(value));
      const members = memberOf(value, 'members');
      if (members !== undefined) {
        const ids = members === null ? [] : memberIdsOf(members);
        if (op === 'add') addMembers(ids);
        else replaceMembers(ids);
      }
      continue;
    }
    const parsed = parsePatchPath(path);
    const name = parsed.path.name.toLowerCase();
    if (parsed.path.schema !== undefined && !sameText(parsed.path.schema, coreGroupSchema)) {
      throw invalidPath(`No attribute ${path} on a Group.`);
    }
    if (name === 'members') {
      if (parsed.kind === 'valuePath') {
        if (op !== 'remove' || parsed.subAttribute !== undefined) {
          throw invalidPath('A filtered members path is for remove: members[value eq "…"].');
        }
        removeMembers(idsOfFilter(parsed.filter));
        continue;
      }
      if (parsed.path.subAttribute !== undefined)
        throw invalidPath(`members.${parsed.path.subAttribute} is not writable.`);
      if (op === 'remove') {
        // RFC 7644 §3.5.2.2: without a value, all members go; Entra ID names the ones to remove in `value`.
        if (hasValue && value !== null && !(Array.isArray(value) && value.length === 0))
          removeMembers(memberIdsOf(value));
        else replaceMembers([]);
      } else {
        if (!hasValue) throw invalidValue(`${op} needs a value.`);
        const ids = value === null ? [] : memberIdsOf(value);
        if (op === 'add') addMembers(ids);
        else replaceMembers(ids);
      }
      continue;
    }
    if (parsed.kind !== 'attribute' || parsed.path.subAttribute !== undefined) {
      throw invalidPath(`No attribute ${path} on a Group.`);
    }
    if (name === 'displayname' || name === 'externalid') {
      if (op === 'remove') {
        if (name === 'displayname') throw invalidValue('displayName is required: it cannot be removed.');
        change.fields.externalId = null;
        continue;
      }
      if (!hasValue) throw invalidValue(`${op} needs a value.`);
      Object.assign(change.fields, fieldsOf({ [parsed.path.name]: value }));
      continue;
    }
    if (name === 'id' || name === 'meta' || name === 'schemas') {
      throw new ScimError(400, 'mutability', `${parsed.path.name} is read-only.`);
    }
    throw invalidPath(`No attribute ${path} on a Group.`);
  }
  change.add = [...added];
  change.remove = [...removed];
  change.replaceMembers = replaced === null ? null : [...(replaced as Set<string>)];
  return change;
}

/** displayName and externalId of an object of attributes (keys case-insensitive); `id`/`meta` ignored. */
function fieldsOf(o: Record<string, unknown>): GroupFields {
  const out: GroupFields = {};
  const displayName = memberOf(o, 'displayName');
  if (displayName !== undefined) {
    if (typeof displayName !== 'string' || displayName.trim() === '') {
      throw invalidValue('displayName is a non-empty string.');
    }
    out.displayName = displayName;
  }
  const externalId = memberOf(o, 'externalId');
  if (externalId !== undefined) {
    if (externalId !== null && typeof externalId !== 'string') throw invalidValue('externalId is a string.');
    out.externalId = externalId === '' ? null : externalId;
  }
  return out;
}

/** Member ids of `[{ value }]` (or one `{ value }`): values are user ids; `display`, `type`, `$ref` ignored. */
function memberIdsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((m) => {
    const id = isObject(m) ? memberOf(m, 'value') : undefined;
    if (typeof id !== 'string' || id === '')
      throw invalidValue('Each member is an object with a value (a user id).');
    return id;
  });
}

/**
 * The ids a removal filter names: `value eq "…"` terms joined by `or`; a term may be joined by `and` to one
 * that every member satisfies (`$ref eq null`, which Entra ID sends, or `type eq "User"`).
 */
function idsOfFilter(f: Filter): string[] {
  if (f.kind === 'or') return [...idsOfFilter(f.left), ...idsOfFilter(f.right)];
  if (f.kind === 'and') {
    if (holdsForEveryMember(f.left)) return idsOfFilter(f.right);
    if (holdsForEveryMember(f.right)) return idsOfFilter(f.left);
  }
  if (f.kind === 'compare' && f.op === 'eq' && isSub(f.path, 'value') && typeof f.value === 'string') {
    return [f.value];
  }
  throw new ScimError(
    400,
    'invalidFilter',
    'Remove members by value: members[value eq "…"] (terms joined by or).',
  );
}

function holdsForEveryMember(f: Filter): boolean {
  if (f.kind !== 'compare' || f.op !== 'eq') return false;
  return (
    (isSub(f.path, '$ref') && f.value === null) ||
    (isSub(f.path, 'type') && typeof f.value === 'string' && f.value.toLowerCase() === 'user')
  );
}

function isSub(p: AttributePath, name: string): boolean {
  return p.schema === undefined && p.subAttribute === undefined && p.name.toLowerCase() === name;
}

function sameText(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}
