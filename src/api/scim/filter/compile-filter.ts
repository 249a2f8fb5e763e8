import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import {
  formatAttributePath,
  type AttributePath,
  type CompareOperator,
  type Filter,
  type FilterValue,
} from './ast.js';
import { ScimFilterError } from './errors.js';
import {
  rowContainer,
  subAttributeOf,
  type ComplexAttribute,
  type FilterResource,
  type Leaf,
  type Predicate,
} from './resource.js';

type Test = { kind: 'present' } | { kind: 'compare'; op: CompareOperator; value: FilterValue };

/**
 * A SCIM filter over a resource type (Users, Groups) as one SQL predicate on its table, for `.where(...)`;
 * the caller adds the organisation. `table` is the name (or alias) of the resource's table in the query.
 * Every attribute expression is two-valued (a missing value is false, never NULL), so `not` means what
 * RFC 7644 says. A multi-valued attribute matches when any value does (§3.4.2.2); values kept in rows of
 * their own (a user's groups, a group's members) are an EXISTS the resource writes. Throws only
 * ScimFilterError (`invalidFilter`) for an unknown attribute or an operator or value the attribute's type
 * does not take.
 */
export function compileFilter(filter: Filter, resource: FilterResource, table: string): Expression<SqlBool> {
  return new Compiler(resource, table).filter(filter, undefined);
}

const likeOperators = { co: ['%', '%'], sw: ['', '%'], ew: ['%', ''] } as const;
const orderOperators = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** xsd:dateTime as RFC 7643 §2.3.5 uses it, with a time zone so it names one instant. */
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

/** A real instant: Date.parse alone would roll 2026-02-30 over into March. */
function isDateTime(value: string): boolean {
  const m = dateTimePattern.exec(value);
  if (!m || Number.isNaN(Date.parse(value))) return false;
  type Parts = [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as Parts;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59
  );
}

/** `%`, `_` and the escape character itself stand for themselves in the pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const TRUE: Predicate = sql<SqlBool>`true`;
const FALSE: Predicate = sql<SqlBool>`false`;

class Compiler {
  constructor(
    private readonly resource: FilterResource,
    private readonly table: string,
  ) {}

  /** `scope`: inside a value path, the complex attribute whose sub-attributes the names are. */
  filter(f: Filter, scope: ComplexAttribute | undefined): Predicate {
    switch (f.kind) {
      case 'and':
      case 'or': {
        const parts = flatten(f, f.kind).map((p) => this.filter(p, scope));
        return sql<SqlBool>`(${sql.join(parts, f.kind === 'and' ? sql` and ` : sql` or `)})`;
      }
      case 'not':
        return sql<SqlBool>`(not ${this.filter(f.filter, scope)})`;
      case 'valuePath':
        return this.valuePath(f.path, f.filter);
      case 'present':
        return this.term(f.path, scope, { kind: 'present' });
      case 'compare':
        return this.term(f.path, scope, { kind: 'compare', op: f.op, value: f.value });
    }
  }

  private valuePath(path: AttributePath, inner: Filter): Predicate {
    const attribute = this.resource.attribute(path.schema, path.name);
    if (attribute === undefined) unknown(path);
    if (attribute.type !== 'complex' || path.subAttribute !== undefined) {
      invalid(`${formatAttributePath(path)} is not a complex attribute: it takes no value filter`);
    }
    return this.within(attribute.container, this.filter(inner, attribute));
  }

  /** Resolves an attribute expression's path to the value(s) it tests. */
  private term(path: AttributePath, scope: ComplexAttribute | undefined, test: Test): Predicate {
    const pathText = formatAttributePath(path);
    const apply = (leaf: Leaf, container: string) =>
      test.kind === 'present'
        ? this.present(leaf, container)
        : this.compare(leaf, container, test.op, test.value, pathText);
    if (scope !== undefined) {
      const leaf =
        path.schema === undefined && path.subAttribute === undefined
          ? subAttributeOf(scope, path.name)
          : undefined;
      if (leaf === undefined) unknown(path);
      return apply(leaf, scope.container);
    }
    const attribute = this.resource.attribute(path.schema, path.name);
    if (attribute === undefined) unknown(path);
    if (attribute.type !== 'complex') {
      if (path.subAttribute !== undefined) unknown(path);
      return apply(attribute, rowContainer);
    }
    if (path.subAttribute !== undefined) {
      const leaf = subAttributeOf(attribute, path.subAttribute);
      if (leaf === undefined) unknown(path);
      return this.within(attribute.container, apply(leaf, attribute.container));
    }
    if (test.kind === 'present') {
      // A complex attribute is present when any of its sub-attributes is (RFC 7644 §3.4.2.2, "pr").
      if (attribute.container !== rowContainer) return this.within(attribute.container, TRUE);
      const parts = Object.values(attribute.subAttributes).map((leaf) => this.present(leaf, rowContainer));
      return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
    }
    // `emails co "x"` compares the values (`emails.value`); `name eq "x"` means nothing.
    if (attribute.valueSubAttribute === undefined) {
      invalid(`${pathText} is a complex attribute: compare one of its sub-attributes`);
    }
    const leaf = subAttributeOf(attribute, attribute.valueSubAttribute) as Leaf;
    return this.within(attribute.container, apply(leaf, attribute.container));
  }

  /** Puts a predicate on one value of a multi-valued attribute kept in rows of its own inside EXISTS. */
  private within(container: string, predicate: Predicate): Predicate {
    if (container === rowContainer) return predicate;
    return this.resource.within(container, predicate, sql.ref(this.table));
  }

  private ref(container: string, column: string): RawBuilder<unknown> {
    return container === rowContainer ? sql.ref(`${this.table}.${column}`) : sql.ref(column);
  }

  private present(leaf: Leaf, container: string): Predicate {
    switch (leaf.type) {
      case 'string': {
        const c = this.ref(container, leaf.column);
        return sql<SqlBool>`(${c} is not null and ${c} <> '')`;
      }
      case 'uuid':
      case 'dateTime': {
        const c = this.ref(container, leaf.column);
        return sql<SqlBool>`(${c} is not null)`;
      }
      case 'boolean':
      case 'constant':
        return TRUE;
    }
  }

  private compare(
    leaf: Leaf,
    container: string,
    op: CompareOperator,
    value: FilterValue,
    pathText: string,
  ): Predicate {
    // RFC 7644 leaves `eq null` undefined; here it is "has no value", `ne null` "has a value".
    if (value === null) {
      if (op === 'eq') return sql<SqlBool>`(not ${this.present(leaf, container)})`;
      if (op === 'ne') return this.present(leaf, container);
      invalid(`${pathText} ${op} null: only eq and ne compare with null`);
    }
    switch (leaf.type) {
      case 'string':
        return this.compareString(leaf, this.ref(container, leaf.column), op, stringValue(value, pathText));
      case 'uuid':
        return this.compareUuid(leaf, this.ref(container, leaf.column), op, stringValue(value, pathText));
      case 'dateTime':
        return this.compareDateTime(this.ref(container, leaf.column), op, value, pathText);
      case 'boolean': {
        const active = sql<SqlBool>`${this.ref(container, 'status')} in ('active', 'invited')`;
        const wanted = booleanEquality(op, value, pathText);
        return wanted ? active : sql<SqlBool>`(not ${active})`;
      }
      case 'constant':
        return compareConstant(leaf, op, value, pathText) ? TRUE : FALSE;
    }
  }

  private compareString(
    leaf: Extract<Leaf, { type: 'string' }>,
    column: RawBuilder<unknown>,
    op: CompareOperator,
    value: string,
  ): Predicate {
    // caseExact: as stored; folded column: the value lower-cased here as the column was; else lower() both.
    const lhs = leaf.caseExact || leaf.folded ? column : sql`lower(${column})`;
    const fold = (v: string) =>
      leaf.caseExact ? sql`${v}` : leaf.folded ? sql`${foldText(v)}` : sql`lower(${v})`;
    return sql<SqlBool>`(${column} is not null and ${this.operation(lhs, op, value, fold)})`;
  }

  private compareUuid(
    leaf: Extract<Leaf, { type: 'uuid' }>,
    column: RawBuilder<unknown>,
    op: CompareOperator,
    value: string,
  ): Predicate {
    const v = leaf.caseExact ? value : value.toLowerCase();
    if (op === 'eq' || op === 'ne') {
      // A value that is no id in canonical form equals no id: compared as uuid, so the index serves it.
      if (!uuidPattern.test(v)) return op === 'eq' ? FALSE : sql<SqlBool>`(${column} is not null)`;
      return sql<SqlBool>`(${column} is not null and ${column} ${sql.raw(op === 'eq' ? '=' : '<>')} ${v}::uuid)`;
    }
    return sql<SqlBool>`(${column} is not null and ${this.operation(sql`${column}::text`, op, v, (x) => sql`${x}`)})`;
  }

  private compareDateTime(
    column: RawBuilder<unknown>,
    op: CompareOperator,
    value: FilterValue,
    pathText: string,
  ): Predicate {
    if (op === 'co' || op === 'sw' || op === 'ew') invalid(`${pathText} is a dateTime: ${op} does not apply`);
    if (typeof value !== 'string' || !isDateTime(value)) {
      invalid(`${pathText} is a dateTime: compare it with a string such as "2026-01-31T12:00:00Z"`);
    }
    const instant = new Date(value).toISOString();
    const sqlOp = op === 'eq' ? '=' : op === 'ne' ? '<>' : orderOperators[op];
    return sql<SqlBool>`(${column} is not null and ${column} ${sql.raw(sqlOp)} ${instant}::timestamptz)`;
  }

  /** A string comparison; `co`/`sw`/`ew` are LIKE with the value's wildcards escaped. */
  private operation(
    lhs: RawBuilder<unknown>,
    op: CompareOperator,
    value: string,
    fold: (v: string) => RawBuilder<unknown>,
  ): RawBuilder<unknown> {
    if (op === 'eq') return sql`${lhs} = ${fold(value)}`;
    if (op === 'ne') return sql`${lhs} <> ${fold(value)}`;
    if (op === 'co' || op === 'sw' || op === 'ew') {
      const [before, after] = likeOperators[op];
      return sql`${lhs} like ${fold(`${before}${escapeLike(value)}${after}`)} escape '\\'`;
    }
    // Ordering is by code point (collation "C"), the same on every database and locale.
    return sql`${lhs} collate "C" ${sql.raw(orderOperators[op])} ${fold(value)}`;
  }
}

/** The operands of a chain of one connective, left to right, without recursion over the chain. */
function flatten(f: Filter, kind: 'and' | 'or'): Filter[] {
  const out: Filter[] = [];
  const stack: Filter[] = [f];
  while (stack.length > 0) {
    const g = stack.pop() as Filter;
    if (g.kind === kind) stack.push(g.right, g.left);
    else out.push(g);
  }
  return out;
}

/** How email_normalized was folded (normalizeEmail without the trim: a value is compared as given). */
export function foldText(value: string): string {
  return value.normalize('NFC').toLowerCase();
}

function stringValue(value: FilterValue, pathText: string): string {
  if (typeof value !== 'string') invalid(`${pathText} is a string: compare it with a string`);
  return value;
}

function booleanEquality(op: CompareOperator, value: FilterValue, pathText: string): boolean {
  if (op !== 'eq' && op !== 'ne') invalid(`${pathText} is a boolean: only eq and ne apply`);
  if (typeof value !== 'boolean') invalid(`${pathText} is a boolean: compare it with true or false`);
  return op === 'eq' ? value : !value;
}

function compareConstant(
  leaf: Extract<Leaf, { type: 'constant' }>,
  op: CompareOperator,
  value: FilterValue,
  pathText: string,
): boolean {
  if (typeof leaf.value === 'boolean') return leaf.value === booleanEquality(op, value, pathText);
  const fold = (s: string) => (leaf.caseExact ? s : s.toLowerCase());
  const a = fold(leaf.value);
  const b = fold(stringValue(value, pathText));
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
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

function unknown(path: AttributePath): never {
  return invalid(`Unknown attribute ${formatAttributePath(path)}`);
}

function invalid(message: string): never {
  throw new ScimFilterError('invalidFilter', message);
}
