import {
  compareOperators,
  type AttributePath,
  type Filter,
  type FilterValue,
} from '../../src/api/scim/filter/ast.js';
import type { Random } from './random.js';
import { randomCase } from './scim-users.js';

const names = [
  'userName',
  'title',
  'emails',
  'name',
  'a',
  'x1',
  'and',
  'or',
  'pr',
  'eq',
  'true',
  'meta',
  'b-c',
  'd_e',
];
// Names of the User schema (docs/scim-attributes.md), so fuzzed filters also reach the compiler's checks.
const userNames = [
  'active',
  'groups',
  'roles',
  'displayName',
  'externalId',
  'id',
  'manager',
  'employeeNumber',
];
const subs = [
  'value',
  'givenName',
  'type',
  'x',
  'lastModified',
  'display',
  'primary',
  'created',
  'formatted',
];
const schemas = [
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  'urn:example:x',
];
const characters = [
  'a',
  'Z',
  ' ',
  '"',
  '\\',
  '\n',
  '\t',
  'é',
  '😀',
  '\u0001',
  '%',
  '_',
  '(',
  ')',
  '[',
  ']',
  '.',
  "'",
  '/',
  '\u2028',
];

function genericPath(rng: Random, withSub = true): AttributePath {
  return {
    ...(rng.chance(0.15) ? { schema: rng.pick(schemas) } : {}),
    // "not" is a valid attribute name the oracle cannot read (see filter-oracle.test.ts): rare.
    name: rng.chance(0.01)
      ? 'not'
      : rng.chance(0.3)
        ? rng.pick(userNames)
        : rng.chance(0.2)
          ? randomCase(rng, rng.pick(names))
          : rng.pick(names),
    ...(withSub && rng.chance(0.3) ? { subAttribute: rng.pick(subs) } : {}),
  };
}

function genericValue(rng: Random): FilterValue {
  const r = rng.next();
  if (r < 0.55) {
    const n = rng.int(8);
    let s = '';
    for (let i = 0; i < n; i++)
      s += rng.chance(0.93) ? String.fromCharCode(97 + rng.int(26)) : rng.pick(characters);
    return s;
  }
  if (r < 0.8)
    return rng.chance(0.9) ? rng.pick([0, 1, 42, 1.5, 3e-7, 123456789, 0.25]) : rng.pick([1e21, -1, -2.5]);
  return rng.pick([true, false, null]);
}

/** A random well-formed filter over arbitrary names (the parser does not know the schema). */
export function genericFilter(rng: Random, depth = 0, inValuePath = false): Filter {
  const r = rng.next();
  if (depth >= 4 || r < 0.35) {
    const path = genericPath(rng);
    if (rng.chance(0.15)) return { kind: 'present', path };
    return { kind: 'compare', path, op: rng.pick(compareOperators), value: genericValue(rng) };
  }
  if (r < 0.58)
    return {
      kind: 'and',
      left: genericFilter(rng, depth + 1, inValuePath),
      right: genericFilter(rng, depth + 1, inValuePath),
    };
  if (r < 0.8)
    return {
      kind: 'or',
      left: genericFilter(rng, depth + 1, inValuePath),
      right: genericFilter(rng, depth + 1, inValuePath),
    };
  if (r < 0.9 || inValuePath) return { kind: 'not', filter: genericFilter(rng, depth + 1, inValuePath) };
  return { kind: 'valuePath', path: genericPath(rng, false), filter: genericFilter(rng, depth + 1, true) };
}

const damage = ['(', ')', '[', ']', '"', ' and ', ' or ', 'not ', ' eq ', ' pr', '.', '\\', ':', '-', '0'];

/**
 * A filter text broken at random: a character or token deleted, duplicated or inserted, or the text cut.
 * `oracleExtension` names the oracle's own extension when the result is one (it accepts what the RFC refuses).
 */
export function malformations(text: string, rng: Random): { text: string; oracleExtension?: string } {
  let out = text;
  const times = 1 + rng.int(3);
  for (let i = 0; i < times; i++) {
    const at = rng.int(out.length + 1);
    const r = rng.next();
    if (r < 0.3) out = out.slice(0, at) + out.slice(at + 1 + rng.int(3));
    else if (r < 0.6) out = out.slice(0, at) + rng.pick(damage) + out.slice(at);
    else if (r < 0.8) out = out.slice(0, at);
    else out = out.slice(0, at) + out.slice(at, at + 4) + out.slice(at);
  }
  return { text: out, ...classify(out) };
}

const rfcAttributePath =
  /^(?:[A-Za-z](?:[A-Za-z0-9_\-:.]*[A-Za-z0-9])?:)?[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z][A-Za-z0-9_-]*)?$/;
const jsonNumber = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function classify(text: string): { oracleExtension?: string } {
  const outsideStrings = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  if (/(^|[\s([])not(?!\s*\()/i.test(outsideStrings)) return { oracleExtension: 'not without parentheses' };
  if (/(^|[([]|\b(?:and|or)\s)\s*-?\d/i.test(outsideStrings)) {
    return { oracleExtension: 'attribute paths the RFC grammar refuses' };
  }
  if (/\]\./.test(outsideStrings)) return { oracleExtension: 'valuePath.subAttr in a filter' };
  // The oracle reads any \w[-\w._:/%]* as an attribute path (several sub-attributes, digits first, "/", "%").
  const words = outsideStrings.match(/\w[-\w._:/%]*/g) ?? [];
  if (words.some((w) => !jsonNumber.test(w) && !rfcAttributePath.test(w))) {
    return { oracleExtension: 'attribute paths the RFC grammar refuses' };
  }
  if (/\\/.test(text)) return { oracleExtension: 'escapes other than \\"' };
  if (/-[0-9]|[0-9][eE]\+/.test(outsideStrings)) return { oracleExtension: 'a number with a sign' };
  return {};
}

const tokens = [
  'userName',
  'emails',
  'value',
  'name.givenName',
  'meta.lastModified',
  'eq',
  'co',
  'pr',
  'gt',
  'and',
  'or',
  'not',
  '(',
  ')',
  '[',
  ']',
  '.',
  '"x"',
  '"',
  '1',
  '-',
  'true',
  'null',
  schemas[1] + ':manager.value',
  ' ',
  ' ',
  ' ',
];
const soup = [
  'a',
  'Z',
  '0',
  '9',
  ' ',
  '"',
  '\\',
  '(',
  ')',
  '[',
  ']',
  '.',
  ':',
  '-',
  '+',
  'e',
  '\u0000',
  '😀',
  '\ud800',
  'é',
  '\n',
  '%',
  '_',
];

/** Random text over the filter's alphabet, or a random sequence of its tokens. */
export function noise(rng: Random): string {
  const parts: string[] = [];
  const n = rng.int(40);
  const from = rng.chance(0.5) ? tokens : soup;
  for (let i = 0; i < n; i++)
    parts.push(rng.chance(0.02) ? String.fromCharCode(rng.int(0x10000)) : rng.pick(from));
  return parts.join(from === tokens && rng.chance(0.7) ? ' ' : '');
}
