import type { AttributePath, CompareOperator, Filter, FilterValue } from '../../src/api/scim/filter/ast.js';
import type { ScimUserView } from './scim-users.js';

/**
 * The test's own reading of RFC 7643/7644 over the SCIM view of a user: the in-memory oracle the compiled
 * SQL is checked against. It shares no code with src/api/scim/filter/ beyond the AST type: its schema is
 * written here from the RFCs and docs/scim-attributes.md.
 */
export class EvaluationRefused extends Error {}

type Leaf = { type: 'string' | 'boolean' | 'dateTime'; caseExact: boolean };
type Complex = { type: 'complex'; multiValued: boolean; sub: Record<string, Leaf>; valueSub?: string };
type Def = Leaf | Complex;

const str = (caseExact = false): Leaf => ({ type: 'string', caseExact });
const bool: Leaf = { type: 'boolean', caseExact: false };
const date: Leaf = { type: 'dateTime', caseExact: false };

const core: Record<string, Def> = {
  id: str(true),
  externalId: str(true),
  userName: str(),
  name: {
    type: 'complex',
    multiValued: false,
    sub: { givenName: str(), familyName: str(), formatted: str() },
  },
  displayName: str(),
  title: str(),
  active: bool,
  emails: {
    type: 'complex',
    multiValued: true,
    sub: { value: str(), type: str(), primary: bool },
    valueSub: 'value',
  },
  roles: { type: 'complex', multiValued: true, sub: { value: str(), primary: bool }, valueSub: 'value' },
  groups: {
    type: 'complex',
    multiValued: true,
    sub: { value: str(), display: str(), type: str() },
    valueSub: 'value',
  },
  meta: {
    type: 'complex',
    multiValued: false,
    sub: { created: date, lastModified: date, resourceType: str(true) },
  },
};
const enterprise: Record<string, Def> = {
  employeeNumber: str(),
  costCenter: str(),
  organization: str(),
  division: str(),
  department: str(),
  manager: { type: 'complex', multiValued: false, sub: { value: str() }, valueSub: 'value' },
};
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:user';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user';

function lookup(table: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(table).find((k) => k.toLowerCase() === name.toLowerCase());
}

interface Resolved {
  leaf: Leaf;
  /** The values the path names on a user (each element's, for a multi-valued attribute). */
  values(u: ScimUserView): unknown[];
}

type Elements = (u: ScimUserView) => Record<string, unknown>[];

function top(path: AttributePath): { def: Def; key: string; elements: Elements } {
  const schema = path.schema?.toLowerCase();
  const table =
    schema === undefined || schema === CORE ? core : schema === ENTERPRISE ? enterprise : undefined;
  const key = table && lookup(table, path.name);
  if (!table || key === undefined) throw new EvaluationRefused(`unknown ${path.name}`);
  const def = table[key] as Def;
  const holder = (u: ScimUserView) =>
    (table === core ? u : u.enterprise) as unknown as Record<string, unknown>;
  const elements: Elements = (u) => {
    const v = holder(u)[key];
    return Array.isArray(v) ? (v as Record<string, unknown>[]) : [v as Record<string, unknown>];
  };
  return { def, key, elements: (u) => (def.type === 'complex' ? elements(u) : [holder(u)]) };
}

function subOf(c: Complex, name: string): { key: string; leaf: Leaf } {
  const key = lookup(c.sub, name);
  if (key === undefined) throw new EvaluationRefused(`unknown sub-attribute ${name}`);
  return { key, leaf: c.sub[key] as Leaf };
}

function resolve(path: AttributePath): Resolved | { complexPresent: (u: ScimUserView) => boolean } {
  const t = top(path);
  if (t.def.type !== 'complex') {
    if (path.subAttribute !== undefined) throw new EvaluationRefused('sub-attribute of a simple attribute');
    return { leaf: t.def, values: (u) => t.elements(u).map((e) => e[t.key]) };
  }
  const c = t.def;
  const subName = path.subAttribute ?? c.valueSub;
  if (subName === undefined) {
    return {
      complexPresent: (u) =>
        t.elements(u).some((e) => Object.keys(c.sub).some((k) => present(c.sub[k] as Leaf, e[k]))),
    };
  }
  const { key, leaf } = subOf(c, subName);
  return { leaf, values: (u) => t.elements(u).map((e) => e[key]) };
}

function present(leaf: Leaf, v: unknown): boolean {
  return v !== null && v !== undefined && !(leaf.type === 'string' && v === '');
}

/** The RFC's operators on one value; throws for a combination the schema refuses (data-independent). */
function check(leaf: Leaf, op: CompareOperator, value: FilterValue): void {
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw new EvaluationRefused('null takes eq or ne');
    return;
  }
  if (leaf.type === 'boolean') {
    if ((op !== 'eq' && op !== 'ne') || typeof value !== 'boolean') throw new EvaluationRefused('boolean');
  } else if (leaf.type === 'dateTime') {
    if (op === 'co' || op === 'sw' || op === 'ew') throw new EvaluationRefused('dateTime substring');
    if (
      typeof value !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i.test(value) ||
      Number.isNaN(Date.parse(value)) ||
      // Date.parse rolls a day past the month's end over; the RFC's dateTime does not.
      new Date(Date.parse(`${value.slice(0, 10)}T00:00:00Z`)).toISOString().slice(0, 10) !==
        value.slice(0, 10)
    ) {
      throw new EvaluationRefused('dateTime value');
    }
  } else if (typeof value !== 'string') {
    throw new EvaluationRefused('string takes a string');
  }
}

function compareOne(leaf: Leaf, op: CompareOperator, actual: unknown, value: FilterValue): boolean {
  if (actual === null || actual === undefined) return false;
  if (leaf.type === 'boolean') return op === 'eq' ? actual === value : actual !== value;
  let a: string | number;
  let b: string | number;
  if (leaf.type === 'dateTime') {
    a = (actual as Date).getTime();
    b = Date.parse(value as string);
  } else {
    const fold = (s: string) => (leaf.caseExact ? s : s.normalize('NFC').toLowerCase());
    a = fold(actual as string);
    b = fold(value as string);
  }
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return (a as string).includes(b as string);
    case 'sw':
      return (a as string).startsWith(b as string);
    case 'ew':
      return (a as string).endsWith(b as string);
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

export type Matcher = (u: ScimUserView) => boolean;

/** Builds the matcher (refusing, as EvaluationRefused, what the schema does not allow, whatever the data). */
export function evaluator(f: Filter): Matcher {
  return build(f, undefined);
}

function build(f: Filter, scope: Complex | undefined): Matcher {
  switch (f.kind) {
    case 'and': {
      const l = build(f.left, scope);
      const r = build(f.right, scope);
      return (u) => l(u) && r(u);
    }
    case 'or': {
      const l = build(f.left, scope);
      const r = build(f.right, scope);
      return (u) => l(u) || r(u);
    }
    case 'not': {
      const inner = build(f.filter, scope);
      return (u) => !inner(u);
    }
    case 'valuePath': {
      if (scope) throw new EvaluationRefused('nested value path');
      const t = top(f.path);
      if (t.def.type !== 'complex' || f.path.subAttribute !== undefined)
        throw new EvaluationRefused('not complex');
      const inner = buildElement(f.filter, t.def);
      return (u) => t.elements(u).some((e) => e !== null && e !== undefined && inner(e));
    }
    case 'present':
    case 'compare': {
      if (scope) throw new Error('unreachable: element filters are built by buildElement');
      const r = resolve(f.path);
      if ('complexPresent' in r) {
        if (f.kind !== 'present') throw new EvaluationRefused('complex compared');
        return r.complexPresent;
      }
      if (f.kind === 'present') return (u) => r.values(u).some((v) => present(r.leaf, v));
      return comparison(r.leaf, f.op, f.value, r.values);
    }
  }
}

function comparison<T>(leaf: Leaf, op: CompareOperator, value: FilterValue, values: (x: T) => unknown[]) {
  check(leaf, op, value);
  if (value === null) {
    return op === 'eq'
      ? (x: T) => !values(x).some((v) => present(leaf, v))
      : (x: T) => values(x).some((v) => present(leaf, v));
  }
  return (x: T) => values(x).some((v) => compareOne(leaf, op, v, value));
}

type ElementMatcher = (e: Record<string, unknown>) => boolean;

function buildElement(f: Filter, c: Complex): ElementMatcher {
  switch (f.kind) {
    case 'and': {
      const l = buildElement(f.left, c);
      const r = buildElement(f.right, c);
      return (e) => l(e) && r(e);
    }
    case 'or': {
      const l = buildElement(f.left, c);
      const r = buildElement(f.right, c);
      return (e) => l(e) || r(e);
    }
    case 'not': {
      const inner = buildElement(f.filter, c);
      return (e) => !inner(e);
    }
    case 'valuePath':
      throw new EvaluationRefused('nested value path');
    case 'present':
    case 'compare': {
      if (f.path.schema !== undefined || f.path.subAttribute !== undefined)
        throw new EvaluationRefused('path');
      const { key, leaf } = subOf(c, f.path.name);
      if (f.kind === 'present') return (e) => present(leaf, e[key]);
      return comparison(leaf, f.op, f.value, (e: Record<string, unknown>) => [e[key]]);
    }
  }
}
