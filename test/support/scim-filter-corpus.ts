import {
  compareOperators,
  type AttributePath,
  type CompareOperator,
  type Filter,
  type FilterValue,
} from '../../src/api/scim/filter/ast.js';
import type { Random } from './random.js';
import { randomCase, type ScimDataset, type ScimUserView } from './scim-users.js';

/** Serialises a filter AST so that parsing gives the same AST back (minimal parentheses, random spelling). */
export function filterText(f: Filter, rng?: Random): string {
  const kw = (k: string) => (rng ? randomCase(rng, k) : k);
  const sp = () => (rng?.chance(0.1) ? '  ' : ' ');
  const wrap = (g: Filter, needs: boolean) => (needs ? `(${filterText(g, rng)})` : filterText(g, rng));
  switch (f.kind) {
    case 'compare':
      return `${pathText(f.path)}${sp()}${kw(f.op)}${sp()}${JSON.stringify(f.value)}`;
    case 'present':
      return `${pathText(f.path)}${sp()}${kw('pr')}`;
    case 'and':
      return `${wrap(f.left, f.left.kind === 'or')}${sp()}${kw('and')}${sp()}${wrap(f.right, f.right.kind === 'or' || f.right.kind === 'and')}`;
    case 'or':
      return `${filterText(f.left, rng)}${sp()}${kw('or')}${sp()}${wrap(f.right, f.right.kind === 'or')}`;
    case 'not':
      return `${kw('not')}${rng?.chance(0.3) ? '' : ' '}(${filterText(f.filter, rng)})`;
    case 'valuePath':
      return `${pathText(f.path)}[${filterText(f.filter, rng)}]`;
  }
}

export function pathText(p: AttributePath): string {
  return `${p.schema === undefined ? '' : `${p.schema}:`}${p.name}${p.subAttribute === undefined ? '' : `.${p.subAttribute}`}`;
}

export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Kind = 'string' | 'id' | 'boolean' | 'dateTime' | 'bad';
interface Attr {
  path: AttributePath;
  kind: Kind;
  /** A value of the dataset for this attribute, to make comparisons hit. */
  sample?: (u: ScimUserView, d: ScimDataset, rng: Random) => string | null;
}

const core = (name: string, subAttribute?: string): AttributePath => ({
  name,
  ...(subAttribute ? { subAttribute } : {}),
});
const ent = (name: string, subAttribute?: string): AttributePath => ({
  schema: ENTERPRISE,
  ...core(name, subAttribute),
});

const attributes: Attr[] = [
  { path: core('userName'), kind: 'string', sample: (u) => u.userName },
  { path: core('externalId'), kind: 'string', sample: (u) => u.externalId },
  { path: core('id'), kind: 'id', sample: (u) => u.id },
  { path: core('name', 'givenName'), kind: 'string', sample: (u) => u.name.givenName },
  { path: core('name', 'familyName'), kind: 'string', sample: (u) => u.name.familyName },
  { path: core('name', 'formatted'), kind: 'string', sample: (u) => u.name.formatted },
  { path: core('displayName'), kind: 'string', sample: (u) => u.displayName },
  { path: core('title'), kind: 'string', sample: (u) => u.title },
  { path: core('active'), kind: 'boolean' },
  { path: core('emails'), kind: 'string', sample: (u) => u.userName },
  { path: core('emails', 'value'), kind: 'string', sample: (u) => u.userName },
  { path: core('emails', 'type'), kind: 'string', sample: (_u, _d, r) => r.pick(['work', 'WORK', 'home']) },
  { path: core('emails', 'primary'), kind: 'boolean' },
  { path: core('roles'), kind: 'string', sample: (u) => u.roles[0]?.value ?? null },
  { path: core('roles', 'value'), kind: 'string', sample: (u) => u.roles[0]?.value ?? null },
  { path: core('roles', 'primary'), kind: 'boolean' },
  { path: core('groups'), kind: 'id', sample: (_u, d, r) => r.pick(d.departments).id },
  { path: core('groups', 'value'), kind: 'id', sample: (_u, d, r) => r.pick(d.departments).id },
  { path: core('groups', 'display'), kind: 'string', sample: (_u, d, r) => r.pick(d.departments).name },
  { path: core('groups', 'type'), kind: 'string', sample: (_u, _d, r) => r.pick(['direct', 'indirect']) },
  { path: core('meta', 'created'), kind: 'dateTime' },
  { path: core('meta', 'lastModified'), kind: 'dateTime' },
  {
    path: core('meta', 'resourceType'),
    kind: 'string',
    sample: (_u, _d, r) => r.pick(['User', 'user', 'Group']),
  },
  { path: ent('employeeNumber'), kind: 'string', sample: (u) => u.enterprise.employeeNumber },
  { path: ent('costCenter'), kind: 'string', sample: (u) => u.enterprise.costCenter },
  { path: ent('organization'), kind: 'string', sample: (u) => u.enterprise.organization },
  { path: ent('division'), kind: 'string', sample: (u) => u.enterprise.division },
  { path: ent('department'), kind: 'string', sample: (u) => u.enterprise.department },
  { path: ent('manager'), kind: 'id', sample: (u) => u.enterprise.manager.value },
  { path: ent('manager', 'value'), kind: 'id', sample: (u) => u.enterprise.manager.value },
  // Refused: unknown, unsupported, enterprise without its URN, a complex attribute compared as a whole.
  { path: core('userType'), kind: 'bad' },
  { path: core('name', 'middleName'), kind: 'bad' },
  { path: core('employeeNumber'), kind: 'bad' },
  { path: core('name'), kind: 'bad' },
  { path: core('meta'), kind: 'bad' },
  { path: { schema: 'urn:example:unknown', name: 'x' }, kind: 'bad' },
  { path: ent('manager', 'displayName'), kind: 'bad' },
  { path: core('userName', 'x'), kind: 'bad' },
];

/** Sub-attributes usable inside a value path on each complex attribute. */
const elementAttributes: Record<string, Attr[]> = {
  emails: attributes.filter((a) => a.path.name === 'emails' && a.path.subAttribute),
  roles: attributes.filter((a) => a.path.name === 'roles' && a.path.subAttribute),
  groups: attributes.filter((a) => a.path.name === 'groups' && a.path.subAttribute),
  name: attributes.filter((a) => a.path.name === 'name' && a.path.subAttribute),
  meta: attributes.filter((a) => a.path.name === 'meta' && a.path.subAttribute),
  manager: attributes.filter((a) => a.path.name === 'manager' && a.path.subAttribute),
};

const specials = ['%', '_', '\\', '@', '.', "'", '"'];

function respell(p: AttributePath, rng: Random): AttributePath {
  const schema =
    p.schema === undefined
      ? rng.chance(0.1)
        ? CORE
        : undefined
      : rng.chance(0.2)
        ? p.schema.toLowerCase()
        : p.schema;
  return {
    ...(schema ? { schema } : {}),
    name: rng.chance(0.3) ? randomCase(rng, p.name) : p.name,
    ...(p.subAttribute
      ? { subAttribute: rng.chance(0.3) ? randomCase(rng, p.subAttribute) : p.subAttribute }
      : {}),
  };
}

function valueFor(a: Attr, op: CompareOperator, d: ScimDataset, rng: Random): FilterValue {
  if (rng.chance(0.04)) return rng.pick([null, 1, true, false, 'x', 2.5]);
  const u = rng.pick(d.users);
  switch (a.kind) {
    case 'boolean':
      return rng.chance(0.95) ? rng.chance(0.5) : 'true';
    case 'dateTime': {
      if (rng.chance(0.05)) return rng.pick(['yesterday', '2026-01-01', '2026-13-45T00:00:00Z']);
      const t = rng.chance(0.5) ? u.meta.created : u.meta.lastModified;
      return rng.chance(0.5) ? t.toISOString() : t.toISOString().replace('Z', '+00:00');
    }
    case 'bad':
      return 'x';
    case 'id':
    case 'string': {
      const sample = a.sample?.(u, d, rng) ?? rng.pick(['', 'zzz', 'a']);
      let v = sample;
      if (op === 'co' && v.length > 0) {
        const i = rng.int(v.length);
        v = v.slice(i, i + 1 + rng.int(4));
      } else if (op === 'sw' && v.length > 0) {
        v = v.slice(0, 1 + rng.int(Math.min(6, v.length)));
      } else if (op === 'ew' && v.length > 0) {
        v = v.slice(Math.max(0, v.length - 1 - rng.int(6)));
      }
      if (rng.chance(0.3)) v = a.kind === 'id' ? v.toUpperCase() : randomCase(rng, v);
      if (rng.chance(0.08)) v = `${v}${rng.pick(specials)}`;
      if (rng.chance(0.03)) v = rng.pick(specials);
      return v;
    }
  }
}

const good = attributes.filter((a) => a.kind !== 'bad');
const bad = attributes.filter((a) => a.kind === 'bad');

function term(pool: Attr[], d: ScimDataset, rng: Random, inElement: boolean): Filter {
  const a = pool === attributes ? rng.pick(rng.chance(0.03) ? bad : good) : rng.pick(pool);
  const path = inElement ? { name: randomCase(rng, a.path.subAttribute as string) } : respell(a.path, rng);
  if (rng.chance(0.12)) return { kind: 'present', path };
  const op = rng.pick(compareOperators);
  return { kind: 'compare', path, op, value: valueFor(a, op, d, rng) };
}

/** A random filter over the User schema, mostly valid, with values taken from the dataset. */
export function randomUserFilter(d: ScimDataset, rng: Random, depth = 0, inElement?: Attr[]): Filter {
  const r = rng.next();
  if (depth >= 3 || r < 0.4) return term(inElement ?? attributes, d, rng, inElement !== undefined);
  if (r < 0.62)
    return {
      kind: 'and',
      left: randomUserFilter(d, rng, depth + 1, inElement),
      right: randomUserFilter(d, rng, depth + 1, inElement),
    };
  if (r < 0.8)
    return {
      kind: 'or',
      left: randomUserFilter(d, rng, depth + 1, inElement),
      right: randomUserFilter(d, rng, depth + 1, inElement),
    };
  if (r < 0.88 || inElement) return { kind: 'not', filter: randomUserFilter(d, rng, depth + 1, inElement) };
  const parent = rng.pick(Object.keys(elementAttributes));
  const path: AttributePath = parent === 'manager' ? { schema: ENTERPRISE, name: parent } : { name: parent };
  return { kind: 'valuePath', path, filter: randomUserFilter(d, rng, depth + 1, elementAttributes[parent]) };
}
