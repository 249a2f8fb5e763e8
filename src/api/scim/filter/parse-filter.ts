import {
  compareOperators,
  type AttributePath,
  type CompareOperator,
  type Filter,
  type FilterValue,
  type PatchPath,
} from './ast.js';
import { ScimFilterError, type ScimFilterErrorType } from './errors.js';
import { tokenize, type Token } from './lexer.js';
import { filterLimits } from './limits.js';

/**
 * Parses a SCIM filter (RFC 7644 §3.4.2.2, Figure 1): `and` binds tighter than `or`, `not` takes a
 * parenthesised filter, operators and keywords are case-insensitive, literals are JSON. Throws only
 * ScimFilterError (`invalidFilter`).
 */
export function parseFilter(input: string): Filter {
  const parser = new Parser(input, 'invalidFilter');
  const filter = parser.filter(0, false);
  parser.expectEnd();
  return filter;
}

/**
 * Parses a PATCH operation's path (RFC 7644 §3.5.2, Figure 7): `attrPath` or `valuePath ["." subAttr]`,
 * e.g. `emails[type eq "work"].value`. Throws only ScimFilterError (`invalidPath`). A path that is a whole
 * extension URN (`urn:…:enterprise:2.0:User`) reads as schema `urn:…:enterprise:2.0`, attribute `User`:
 * the caller resolving the path recognises it.
 */
export function parsePatchPath(input: string): PatchPath {
  const parser = new Parser(input, 'invalidPath');
  const result = parser.patchPath();
  parser.expectEnd();
  return result;
}

/** A bare attribute path (`sortBy`, `attributes`): `[URI ":"] ATTRNAME ["." subAttr]`. */
export function parseAttributePath(
  input: string,
  scimType: ScimFilterErrorType = 'invalidFilter',
): AttributePath {
  const parser = new Parser(input, scimType);
  const path = parser.attributeOnly();
  parser.expectEnd();
  return path;
}

const operators = new Set<string>(compareOperators);
/** ATTRNAME (RFC 7644 Figure 1), and `$ref`, which RFC 7643 §2.3.7 names though the ABNF has no `$`. */
const namePattern = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private terms = 0;

  constructor(
    input: string,
    private readonly scimType: ScimFilterErrorType,
  ) {
    const what = scimType === 'invalidFilter' ? 'filter' : 'path';
    if (input.length === 0) throw new ScimFilterError(scimType, `The ${what} is empty`);
    if (input.length > filterLimits.maxLength) {
      throw new ScimFilterError(scimType, `The ${what} is longer than ${filterLimits.maxLength} characters`);
    }
    this.tokens = tokenize(input, scimType);
  }

  attributeOnly(): AttributePath {
    return this.attributePath();
  }

  patchPath(): PatchPath {
    const path = this.attributePath();
    if (this.peek().type !== '[') return { kind: 'attribute', path };
    const filter = this.bracketed(0);
    if (this.peek().type !== '.') return { kind: 'valuePath', path, filter };
    const dot = this.next();
    if (path.subAttribute !== undefined)
      this.fail('A value path on a sub-attribute takes no further sub-attribute', dot);
    const word = this.next();
    if (word.type !== 'word' || !namePattern.test(word.text))
      this.fail('Expected a sub-attribute name after "."', word);
    return { kind: 'valuePath', path, filter, subAttribute: word.text };
  }

  /** FILTER = or-expression; `depth` counts enclosing parentheses, `not`s and value paths. */
  filter(depth: number, inValuePath: boolean): Filter {
    let left = this.conjunction(depth, inValuePath);
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.conjunction(depth, inValuePath) };
    }
    return left;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.type === 'end') return;
    if (t.type === ')' || t.type === ']') this.fail(`Unbalanced "${t.type}"`, t);
    this.fail('Expected "and" or "or"', t);
  }

  private conjunction(depth: number, inValuePath: boolean): Filter {
    let left = this.unary(depth, inValuePath);
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.unary(depth, inValuePath) };
    }
    return left;
  }

  private unary(depth: number, inValuePath: boolean): Filter {
    const t = this.peek();
    if (this.isKeyword(t, 'not') && this.tokens[this.i + 1]?.type === '(') {
      this.enter(depth, t);
      this.next();
      return { kind: 'not', filter: this.parenthesised(depth + 1, inValuePath) };
    }
    if (t.type === '(') {
      this.enter(depth, t);
      return this.parenthesised(depth + 1, inValuePath);
    }
    if (t.type !== 'word')
      this.fail(t.type === 'end' ? 'Unexpected end of filter' : 'Expected an attribute', t);
    const path = this.attributePath();
    const after = this.peek();
    if (after.type === '[') {
      if (inValuePath) this.fail('Value paths cannot nest', after);
      this.enter(depth, after);
      return { kind: 'valuePath', path, filter: this.bracketed(depth + 1) };
    }
    const op = this.next();
    const lower = op.type === 'word' ? op.text.toLowerCase() : '';
    if (lower === 'pr') return this.term({ kind: 'present', path }, t);
    if (!operators.has(lower)) {
      this.fail('Expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after the attribute', op);
    }
    return this.term({ kind: 'compare', path, op: lower as CompareOperator, value: this.literal() }, t);
  }

  private parenthesised(depth: number, inValuePath: boolean): Filter {
    this.next(); // "("
    const inner = this.filter(depth, inValuePath);
    const close = this.next();
    if (close.type !== ')') this.fail('Expected ")"', close);
    return inner;
  }

  private bracketed(depth: number): Filter {
    this.next(); // "["
    const inner = this.filter(depth, true);
    const close = this.next();
    if (close.type !== ']') this.fail('Expected "]"', close);
    return inner;
  }

  private literal(): FilterValue {
    const t = this.next();
    if (t.type === 'string' || t.type === 'number') return t.value;
    if (t.type === 'word') {
      // JSON's literals are lower case (RFC 8259 §3); compValue names them.
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      if (t.text === 'null') return null;
    }
    return this.fail('Expected a value: a string, a number, true, false or null', t);
  }

  /** `[URI ":"] ATTRNAME *1subAttr` from one word token: the schema is all before the last colon. */
  private attributePath(): AttributePath {
    const t = this.next();
    if (t.type !== 'word') return this.fail('Expected an attribute', t);
    const colon = t.text.lastIndexOf(':');
    const schema = colon < 0 ? undefined : t.text.slice(0, colon);
    const names = t.text.slice(colon + 1).split('.');
    const [name, subAttribute, ...rest] = names;
    if (
      (schema !== undefined && !/^[A-Za-z](?:[A-Za-z0-9_\-:.]*[A-Za-z0-9])?$/.test(schema)) ||
      name === undefined ||
      !namePattern.test(name) ||
      (subAttribute !== undefined && !namePattern.test(subAttribute)) ||
      rest.length > 0
    ) {
      this.fail(`Invalid attribute path ${JSON.stringify(t.text)}`, t);
    }
    return {
      ...(schema === undefined ? {} : { schema }),
      name,
      ...(subAttribute === undefined ? {} : { subAttribute }),
    };
  }

  private term(f: Filter, at: Token): Filter {
    if (++this.terms > filterLimits.maxTerms) {
      this.fail(`The filter has more than ${filterLimits.maxTerms} expressions`, at);
    }
    return f;
  }

  private enter(depth: number, at: Token): void {
    if (depth + 1 > filterLimits.maxDepth)
      this.fail(`The filter nests deeper than ${filterLimits.maxDepth} levels`, at);
  }

  private isKeyword(t: Token, keyword: string): boolean {
    return t.type === 'word' && t.text.toLowerCase() === keyword;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'end') this.i++;
    return t;
  }

  private fail(message: string, at: Token): never {
    throw new ScimFilterError(this.scimType, message, at.at);
  }
}
