import { coreGroupSchema, coreUserSchema, parseAttributePath, type AttributePath } from './filter/index.js';
import { ScimError } from './scim-error.js';

/** Returned whatever `attributes` / `excludedAttributes` say (RFC 7643 §7 `returned: always`). */
const alwaysReturned = new Set(['schemas', 'id']);

export interface Projection {
  /** `attributes`: only these (and the always-returned ones). */
  include: AttributePath[] | null;
  /** `excludedAttributes`: all but these. */
  exclude: AttributePath[];
}

const maxListed = 100;

/** Parses the comma-separated `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9). */
export function projectionOf(attributes: unknown, excludedAttributes: unknown): Projection {
  const list = (v: unknown, what: string): AttributePath[] | null => {
    if (v === undefined || v === null || v === '') return null;
    const items = (Array.isArray(v) ? v : String(v).split(','))
      .map((s) => String(s).trim())
      .filter((s) => s !== '');
    if (items.length > maxListed) throw new ScimError(400, 'invalidValue', `At most ${maxListed} ${what}.`);
    return items.map((s) => {
      try {
        return parseAttributePath(s, 'invalidFilter');
      } catch {
        throw new ScimError(400, 'invalidValue', `${what}: "${s.slice(0, 200)}" is not an attribute path.`);
      }
    });
  };
  return {
    include: list(attributes, 'attributes'),
    exclude: list(excludedAttributes, 'excludedAttributes') ?? [],
  };
}

/**
 * A resource cut down to what the client asked for: by `attributes`, the listed attributes and
 * sub-attributes (and `schemas`, `id`); by `excludedAttributes`, all but the listed ones (never `schemas`
 * or `id`). Names compare case-insensitively; an extension's attributes are named through their schema URN
 * (or the URN alone names the whole extension). Unknown names select nothing. Pure.
 */
export function project<T extends Record<string, unknown>>(
  resource: T,
  p: Projection,
): Record<string, unknown> {
  if (!p.include && p.exclude.length === 0) return resource;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const keyIsSchema = key.startsWith('urn:');
    if (alwaysReturned.has(key)) {
      out[key] = value;
      continue;
    }
    const selectors = (list: AttributePath[]) =>
      list.filter((a) => (keyIsSchema ? sameSchema(a, key) : sameName(a.name, key) && isCore(a.schema)));
    if (p.include) {
      const chosen = selectors(p.include);
      if (chosen.length === 0) continue;
      const picked = keyIsSchema ? pickExtension(value, chosen, key) : pickSub(value, chosen);
      if (!isEmptyObject(picked)) out[key] = picked;
    } else {
      const dropped = selectors(p.exclude);
      const kept = keyIsSchema ? dropExtension(value, dropped, key) : dropSub(value, dropped);
      if (kept !== undefined && !isEmptyObject(kept)) out[key] = kept;
    }
  }
  // `schemas` names the extensions the resource holds: one cut out entirely leaves the list too.
  if (Array.isArray(out.schemas)) {
    out.schemas = out.schemas.filter((u) => typeof u !== 'string' || !(u in resource) || u in out);
  }
  return out;
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const isCore = (schema: string | undefined) =>
  schema === undefined || sameName(schema, coreUserSchema) || sameName(schema, coreGroupSchema);

/** Whether a projection returns a core attribute at all (so its values are worth reading). Pure. */
export function returnsAttribute(p: Projection, name: string): boolean {
  const names = (a: AttributePath) => sameName(a.name, name) && isCore(a.schema);
  if (p.include) return p.include.some(names);
  return !p.exclude.some((a) => names(a) && a.subAttribute === undefined);
}

/** `urn:…:enterprise:2.0:User:employeeNumber` parses as schema `urn:…:enterprise:2.0:User`, name `employeeNumber`;
 *  the URN alone parses as schema `urn:…:2.0`, name `User`. */
function sameSchema(a: AttributePath, urn: string): boolean {
  return (a.schema !== undefined && sameName(a.schema, urn)) || isWholeExtension(a, urn);
}
function isWholeExtension(a: AttributePath, urn: string): boolean {
  return a.schema !== undefined && sameName(`${a.schema}:${a.name}`, urn) && a.subAttribute === undefined;
}

/** A core attribute by the paths naming it: whole when one names it alone, else the named sub-attributes. */
function pickSub(value: unknown, chosen: AttributePath[]): unknown {
  if (chosen.some((a) => a.subAttribute === undefined)) return value;
  const names = chosen.map((a) => a.subAttribute!);
  return mapValues(value, (v) => keysWhere(v, (k) => names.some((n) => sameName(n, k))));
}

function dropSub(value: unknown, dropped: AttributePath[]): unknown {
  if (dropped.length === 0) return value;
  if (dropped.some((a) => a.subAttribute === undefined)) return undefined;
  const names = dropped.map((a) => a.subAttribute!);
  return mapValues(value, (v) => keysWhere(v, (k) => !names.some((n) => sameName(n, k))));
}

/** An extension's object by the paths naming its attributes (`urn:…:User:manager.value`) or all of it. */
function pickExtension(value: unknown, chosen: AttributePath[], urn: string): unknown {
  if (chosen.some((a) => isWholeExtension(a, urn)) || !isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(value)) {
    const mine = chosen.filter((a) => sameName(a.name, k));
    if (mine.length > 0) out[k] = pickSub(x, mine);
  }
  return out;
}

function dropExtension(value: unknown, dropped: AttributePath[], urn: string): unknown {
  if (dropped.some((a) => isWholeExtension(a, urn))) return undefined;
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(value)) {
    const kept = dropSub(
      x,
      dropped.filter((a) => sameName(a.name, k)),
    );
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}

function keysWhere(v: unknown, keep: (key: string) => boolean): unknown {
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (keep(k)) out[k] = x;
  return out;
}

const isEmptyObject = (v: unknown) => isObject(v) && Object.keys(v).length === 0;

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map(f) : f(value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
