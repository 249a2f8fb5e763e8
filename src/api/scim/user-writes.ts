import { normalizeEmail } from '../../domain/users/user-record.js';
import type { UserRow } from '../../db/schema.js';
import {
  coreUserSchema,
  enterpriseUserSchema,
  parseAttributePath,
  parsePatchPath,
  type AttributePath,
  type Filter,
  type PatchPath,
} from './filter/index.js';
import { enterpriseAttributes, userAttributes, type SchemaAttribute } from './discovery.js';
import { isObject, memberOf, patchOperationsOf } from './patch-request.js';
import { ScimError } from './scim-error.js';

/**
 * The writable User as the SCIM layer edits it (RFC 7643 §4.1, §4.3): core and enterprise attributes under
 * their canonical names. PATCH applies operations to it (RFC 7644 §3.5.2), PUT builds it from the body
 * (§3.5.1); `domainFieldsOf` turns it into the domain commands' input. Pure: no database, no request.
 */
export interface UserDoc {
  core: Record<string, unknown>;
  enterprise: Record<string, unknown>;
}

type Kind = 'string' | 'boolean' | 'complex' | 'multi' | 'readOnly';
interface Attr {
  name: string;
  kind: Kind;
  subs?: Record<string, { name: string; kind: 'string' | 'boolean' | 'readOnly' }>;
}
/**
 * How a write treats each attribute, read from the schema `/Schemas` describes (discovery.ts), so what a
 * client is told and what a write accepts are one list; `id`, `meta` and `schemas` are the common
 * attributes (RFC 7643 §3.1), read-only, and `externalId` the writable one.
 */
function writeTable(attributes: readonly SchemaAttribute[], common: Attr[]): Record<string, Attr> {
  const kindOf = (a: SchemaAttribute): Kind =>
    a.mutability === 'readOnly'
      ? 'readOnly'
      : a.type === 'complex'
        ? a.multiValued
          ? 'multi'
          : 'complex'
        : a.type === 'boolean'
          ? 'boolean'
          : 'string';
  const subKind = (a: SchemaAttribute): 'string' | 'boolean' | 'readOnly' =>
    a.mutability === 'readOnly' ? 'readOnly' : a.type === 'boolean' ? 'boolean' : 'string';
  const table = attributes.map((a): Attr => {
    const kind = kindOf(a);
    if (kind !== 'complex' && kind !== 'multi') return { name: a.name, kind };
    const subs = Object.fromEntries(
      (a.subAttributes ?? []).map((s) => [s.name.toLowerCase(), { name: s.name, kind: subKind(s) }]),
    );
    return { name: a.name, kind, subs };
  });
  return Object.fromEntries([...table, ...common].map((a) => [a.name.toLowerCase(), a]));
}
const coreAttrs = writeTable(userAttributes, [
  { name: 'externalId', kind: 'string' },
  { name: 'id', kind: 'readOnly' },
  { name: 'meta', kind: 'readOnly' },
  { name: 'schemas', kind: 'readOnly' },
]);
const enterpriseAttrs = writeTable(enterpriseAttributes, []);

interface Target {
  part: 'core' | 'enterprise';
  attr: Attr;
  sub?: { name: string; kind: 'string' | 'boolean' | 'readOnly' };
}

const invalidPath = (what: string) =>
  new ScimError(400, 'invalidPath', `No attribute "${what}" in the User schema.`);
const readOnly = (what: string) =>
  new ScimError(400, 'mutability', `"${what}" is read-only: it cannot be written through SCIM.`);
const invalidValue = (detail: string) => new ScimError(400, 'invalidValue', detail);

/** Where an attribute path points in the User, or invalidPath / mutability. */
function resolve(path: AttributePath, text: string): Target {
  const schema = path.schema?.toLowerCase();
  const part =
    schema === undefined || schema === coreUserSchema.toLowerCase()
      ? 'core'
      : schema === enterpriseUserSchema.toLowerCase()
        ? 'enterprise'
        : null;
  if (!part) throw invalidPath(text);
  const attr = (part === 'core' ? coreAttrs : enterpriseAttrs)[path.name.toLowerCase()];
  if (!attr) throw invalidPath(text);
  if (attr.kind === 'readOnly') throw readOnly(attr.name);
  if (path.subAttribute === undefined) return { part, attr };
  const sub = attr.subs?.[path.subAttribute.toLowerCase()];
  if (!sub) throw invalidPath(text);
  if (sub.kind === 'readOnly') throw readOnly(`${attr.name}.${sub.name}`);
  return { part, attr, sub };
}

/** A value as the attribute's type: Entra sends booleans as "True"/"False"; null clears. */
function coerce(kind: 'string' | 'boolean', value: unknown, name: string): unknown {
  if (value === null) return null;
  if (kind === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    throw invalidValue(`${name} is a boolean.`);
  }
  if (typeof value !== 'string') throw invalidValue(`${name} is a string.`);
  return value;
}

function isSchemaUrn(text: string): boolean {
  const t = text.toLowerCase();
  return t === coreUserSchema.toLowerCase() || t === enterpriseUserSchema.toLowerCase();
}

/** A complex value with its sub-attributes under canonical names and types. */
function complexOf(attr: Attr, value: unknown): Record<string, unknown> {
  // Entra sets the manager by its id alone: `"value": "<id>"` on path `manager`.
  if (attr.name === 'manager' && typeof value === 'string') return { value };
  if (!isObject(value)) throw invalidValue(`${attr.name} is a complex attribute: send an object.`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = attr.subs![k.toLowerCase()];
    if (!sub) throw invalidPath(`${attr.name}.${k}`);
    if (sub.kind === 'readOnly') continue; // e.g. manager.displayName echoed back: ignored, never written
    out[sub.name] = coerce(sub.kind, v, `${attr.name}.${sub.name}`);
  }
  return out;
}

function valuesOf(attr: Attr, value: unknown): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => complexOf(attr, v));
}

/** Whether one value of a multi-valued attribute satisfies a value filter (`type eq "work"`). */
export function matchesValue(f: Filter, el: Record<string, unknown>): boolean {
  switch (f.kind) {
    case 'and':
      return matchesValue(f.left, el) && matchesValue(f.right, el);
    case 'or':
      return matchesValue(f.left, el) || matchesValue(f.right, el);
    case 'not':
      return !matchesValue(f.filter, el);
    case 'valuePath':
      return false;
    case 'present': {
      const v = fieldOf(el, f.path);
      return v !== undefined && v !== null && v !== '';
    }
    case 'compare': {
      const v = fieldOf(el, f.path);
      const a = typeof v === 'string' ? v.toLowerCase() : v;
      const b = typeof f.value === 'string' ? f.value.toLowerCase() : f.value;
      if (f.op === 'eq') return a === b || (b === null && (a === undefined || a === null));
      if (f.op === 'ne') return a !== b;
      if (typeof a !== 'string' || typeof b !== 'string') return false;
      if (f.op === 'co') return a.includes(b);
      if (f.op === 'sw') return a.startsWith(b);
      if (f.op === 'ew') return a.endsWith(b);
      if (f.op === 'gt') return a > b;
      if (f.op === 'ge') return a >= b;
      if (f.op === 'lt') return a < b;
      return a <= b;
    }
  }
}

function fieldOf(el: Record<string, unknown>, p: AttributePath): unknown {
  return memberOf(el, p.subAttribute ?? p.name);
}

/** The `eq` terms of a filter joined by `and`, as a new value: `add` on `emails[type eq "work"].value`. */
function seedOf(f: Filter): Record<string, unknown> {
  if (f.kind === 'compare' && f.op === 'eq') return { [f.path.subAttribute ?? f.path.name]: f.value };
  if (f.kind === 'and') return { ...seedOf(f.left), ...seedOf(f.right) };
  return {};
}

function partOf(doc: UserDoc, t: Target) {
  return t.part === 'core' ? doc.core : doc.enterprise;
}

/** add / replace at a resolved target. */
function write(doc: UserDoc, t: Target, value: unknown, op: 'add' | 'replace', filter?: Filter, text = '') {
  const part = partOf(doc, t);
  const { attr, sub } = t;
  if (attr.kind === 'multi') {
    const current = (Array.isArray(part[attr.name]) ? part[attr.name] : []) as Record<string, unknown>[];
    if (filter) {
      const matched = current.filter((el) => matchesValue(filter, el));
      if (matched.length === 0) {
        if (op === 'replace') throw new ScimError(400, 'noTarget', `No value matches "${text}".`);
        const seed = complexOf(attr, seedOf(filter));
        const added = sub
          ? { ...seed, [sub.name]: coerce(sub.kind as 'string', value, sub.name) }
          : { ...seed, ...complexOf(attr, value) };
        part[attr.name] = [...current, added];
        return;
      }
      part[attr.name] = current.map((el) => {
        if (!matched.includes(el)) return el;
        if (sub)
          return { ...el, [sub.name]: coerce(sub.kind as 'string', value, `${attr.name}.${sub.name}`) };
        return { ...el, ...complexOf(attr, value) };
      });
      return;
    }
    if (sub) {
      const v = coerce(sub.kind as 'string', value, `${attr.name}.${sub.name}`);
      part[attr.name] = current.map((el) => ({ ...el, [sub.name]: v }));
      return;
    }
    if (value === null) {
      delete part[attr.name];
      return;
    }
    const values = valuesOf(attr, value);
    part[attr.name] = op === 'add' ? [...current, ...values] : values;
    return;
  }
  if (filter) throw invalidPath(text);
  if (attr.kind === 'complex') {
    const current = isObject(part[attr.name]) ? (part[attr.name] as Record<string, unknown>) : {};
    if (sub) {
      part[attr.name] = {
        ...current,
        [sub.name]: coerce(sub.kind as 'string', value, `${attr.name}.${sub.name}`),
      };
    } else if (value === null) delete part[attr.name];
    else part[attr.name] = { ...current, ...complexOf(attr, value) };
    return;
  }
  part[attr.name] = coerce(attr.kind as 'string' | 'boolean', value, attr.name);
}

function remove(doc: UserDoc, t: Target, filter?: Filter, text = '') {
  const part = partOf(doc, t);
  const { attr, sub } = t;
  if (attr.name === 'userName') throw invalidValue('userName is required: it cannot be removed.');
  if (attr.name === 'active') throw invalidValue('active cannot be removed: replace it with true or false.');
  if (attr.kind === 'multi') {
    const current = (Array.isArray(part[attr.name]) ? part[attr.name] : []) as Record<string, unknown>[];
    const hit = (el: Record<string, unknown>) => !filter || matchesValue(filter, el);
    part[attr.name] = sub
      ? current.map((el) => (hit(el) ? omit(el, sub.name) : el))
      : current.filter((el) => !hit(el));
    return;
  }
  if (filter) throw invalidPath(text);
  if (sub && isObject(part[attr.name]))
    part[attr.name] = omit(part[attr.name] as Record<string, unknown>, sub.name);
  else if (!sub) delete part[attr.name];
}

function omit(o: Record<string, unknown>, key: string) {
  const { [key]: _drop, ...rest } = o;
  return rest;
}

/** The patch path as a target (and the value filter, if any). */
function targetOf(path: PatchPath, text: string): { target: Target; filter?: Filter } {
  if (path.kind === 'attribute') return { target: resolve(path.path, text) };
  const base = resolve(path.path, text);
  if (base.attr.kind !== 'multi') throw invalidPath(text);
  if (path.subAttribute === undefined) return { target: base, filter: path.filter };
  const t = resolve({ ...path.path, subAttribute: path.subAttribute }, text);
  return { target: t, filter: path.filter };
}

/**
 * A path-less add/replace: `{"name.givenName": "x", "urn:…:enterprise:2.0:User": {...}, "active": "False"}`.
 * Each key is applied as if it were the operation's path (what Entra ID sends).
 */
function writeObject(doc: UserDoc, value: unknown, op: 'add' | 'replace') {
  if (!isObject(value)) throw invalidValue('Without a path, the value is an object of attributes.');
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (lower === enterpriseUserSchema.toLowerCase() || lower === coreUserSchema.toLowerCase()) {
      if (!isObject(v)) throw invalidValue(`${key} holds an object of attributes.`);
      const schema = lower === coreUserSchema.toLowerCase() ? coreUserSchema : enterpriseUserSchema;
      for (const [k, w] of Object.entries(v)) {
        const p = parseAttributePath(`${schema}:${k}`, 'invalidPath');
        write(doc, resolve(p, `${schema}:${k}`), w, op);
      }
      continue;
    }
    // A key is a path: `name.givenName`, `urn:…:enterprise:2.0:User:department`, `emails[type eq "work"].value`.
    const { target, filter } = targetOf(parsePatchPath(key), key);
    write(doc, target, v, op, filter, key);
  }
}

/**
 * Applies a PatchOp body (RFC 7644 §3.5.2) to a copy of the user and returns it; the input is untouched.
 * Accepts the dialects identity providers send: "Replace"/"Add"/"Remove" in any case, booleans as strings,
 * path-less values keyed by dotted names or the enterprise URN. The first refused operation throws, so the
 * caller writes nothing (the whole request is one transaction below).
 */
export function applyPatch(current: UserDoc, body: unknown): UserDoc {
  const doc: UserDoc = structuredClone(current);
  for (const { op, path: pathText, hasValue, value } of patchOperationsOf(body)) {
    if (pathText === null) {
      if (op === 'remove') throw new ScimError(400, 'noTarget', 'remove needs a path.');
      writeObject(doc, value, op);
      continue;
    }
    // A schema URN as the path names the extension as a whole: its value is an object of its attributes.
    if (op !== 'remove' && isSchemaUrn(pathText)) {
      writeObject(doc, { [pathText]: value }, op);
      continue;
    }
    const { target, filter } = targetOf(parsePatchPath(pathText), pathText);
    if (op === 'remove') remove(doc, target, filter, pathText);
    else {
      if (!hasValue) throw invalidValue(`${op} needs a value.`);
      write(doc, target, value, op, filter, pathText);
    }
  }
  return doc;
}

/** The writable part of a stored user as a document (what GET shows, minus the read-only attributes). */
export function docOfRow(row: UserRow): UserDoc {
  const core: Record<string, unknown> = {
    userName: row.email,
    active: row.status === 'active' || row.status === 'invited',
  };
  const set = (o: Record<string, unknown>, k: string, v: unknown) => {
    if (v !== null && v !== undefined && v !== '') o[k] = v;
  };
  set(core, 'externalId', row.external_id);
  set(core, 'displayName', row.display_name);
  set(core, 'title', row.job_title);
  const name: Record<string, unknown> = {};
  set(name, 'givenName', row.given_name);
  set(name, 'familyName', row.family_name);
  set(name, 'formatted', row.display_name);
  if (Object.keys(name).length > 0) core.name = name;
  core.emails = [{ value: row.email, type: 'work', primary: true }];
  const enterprise: Record<string, unknown> = {};
  set(enterprise, 'employeeNumber', row.employee_number);
  set(enterprise, 'costCenter', row.cost_center);
  set(enterprise, 'organization', row.organization_name);
  set(enterprise, 'division', row.division);
  set(enterprise, 'department', row.hr_department);
  if (row.manager_id) enterprise.manager = { value: row.manager_id };
  return { core, enterprise };
}

/**
 * A POST or PUT body as a document (RFC 7644 §3.3, §3.5.1): read-only attributes (id, meta, groups,
 * roles) are ignored as the RFC says; attributes Roster does not keep are ignored too (clients send
 * their whole profile: phoneNumbers, addresses, ...). `schemas` must name the core User schema.
 */
export function docOfResource(body: unknown): UserDoc {
  if (!isObject(body)) throw new ScimError(400, 'invalidSyntax', 'The body must be a JSON object.');
  if (
    !Array.isArray(body.schemas) ||
    !body.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === coreUserSchema.toLowerCase())
  ) {
    throw new ScimError(400, 'invalidSyntax', `A User names the schema ${coreUserSchema}.`);
  }
  const doc: UserDoc = { core: {}, enterprise: {} };
  for (const [key, v] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === enterpriseUserSchema.toLowerCase()) {
      if (!isObject(v)) throw invalidValue(`${enterpriseUserSchema} holds an object of attributes.`);
      for (const [k, w] of Object.entries(v)) {
        const attr = enterpriseAttrs[k.toLowerCase()];
        if (attr) write(doc, { part: 'enterprise', attr }, w, 'replace');
      }
      continue;
    }
    const attr = coreAttrs[lower];
    if (!attr || attr.kind === 'readOnly') continue;
    write(doc, { part: 'core', attr }, v, 'replace');
  }
  return doc;
}

export interface DomainUserFields {
  email: string;
  displayName?: string;
  jobTitle: string | null;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  employeeNumber: string | null;
  costCenter: string | null;
  organizationName: string | null;
  division: string | null;
  hrDepartment: string | null;
  managerId: string | null;
  active?: boolean;
}

/**
 * The document as the domain commands' fields. Roster keeps one address: `userName` is the email, and
 * every `emails` value must be it (a different address is refused, `mutability`, never silently dropped).
 * displayName is `displayName`, else `name.formatted`, else the given and family names. `previous`: the
 * document before a PATCH, so a changed `name.formatted` wins over an unchanged displayName.
 */
export function domainFieldsOf(doc: UserDoc, previous?: UserDoc): DomainUserFields {
  const c = doc.core;
  const e = doc.enterprise;
  if (typeof c.userName !== 'string' || c.userName.trim() === '') throw invalidValue('userName is required.');
  const email = c.userName.trim();
  const emails = (Array.isArray(c.emails) ? c.emails : []) as Record<string, unknown>[];
  // A PATCH that renames userName and leaves emails alone: the one address follows the new userName.
  const emailsFollow =
    previous !== undefined &&
    previous.core.userName !== c.userName &&
    JSON.stringify(previous.core.emails) === JSON.stringify(c.emails);
  for (const el of emailsFollow ? [] : emails) {
    if (typeof el.value === 'string' && normalizeEmail(el.value) !== normalizeEmail(email)) {
      throw new ScimError(
        400,
        'mutability',
        'Roster keeps one email per person, the userName: emails may only repeat it.',
      );
    }
  }
  const name = (isObject(c.name) ? c.name : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
  const prevName = previous && isObject(previous.core.name) ? previous.core.name : {};
  const formattedChanged = previous !== undefined && text(name.formatted) !== text(prevName.formatted);
  const displayChanged = previous !== undefined && text(c.displayName) !== text(previous.core.displayName);
  const joined = [text(name.givenName), text(name.familyName)].filter(Boolean).join(' ') || null;
  const displayName =
    (formattedChanged && !displayChanged ? text(name.formatted) : text(c.displayName)) ??
    text(name.formatted) ??
    joined;
  const manager = isObject(e.manager) ? text(e.manager.value) : null;
  return {
    email,
    ...(displayName ? { displayName } : {}),
    jobTitle: text(c.title),
    externalId: typeof c.externalId === 'string' && c.externalId !== '' ? c.externalId : null,
    givenName: text(name.givenName),
    familyName: text(name.familyName),
    employeeNumber: text(e.employeeNumber),
    costCenter: text(e.costCenter),
    organizationName: text(e.organization),
    division: text(e.division),
    hrDepartment: text(e.department),
    managerId: manager,
    ...(typeof c.active === 'boolean' ? { active: c.active } : {}),
  };
}

/**
 * The version an `If-Match` header requires (RFC 7644 §3.14, RFC 9110 §13.1.1): undefined when absent or
 * `*`; the current version when one of several tags is it; otherwise 412 before anything is read further.
 * The domain checks the version again on the locked row, in the writing transaction.
 */
export function expectedVersionOf(header: string | undefined, current: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return undefined;
  const versions = tags
    .map((t) => /^(?:W\/)?"(\d{1,15})"$/.exec(t)?.[1])
    .map((v) => (v === undefined ? NaN : Number(v)));
  const wanted = versions.find((v) => v === current) ?? versions.find((v) => !Number.isNaN(v));
  if (wanted === undefined) {
    throw new ScimError(412, undefined, 'If-Match names no version of this resource.');
  }
  return wanted;
}
