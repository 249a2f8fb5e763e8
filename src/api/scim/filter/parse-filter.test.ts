import { describe, expect, it } from 'vitest';
import type { AttributePath, Filter, FilterValue } from './ast.js';
import { ScimFilterError } from './errors.js';
import { filterLimits } from './limits.js';
import { parseAttributePath, parseFilter, parsePatchPath } from './parse-filter.js';

const p = (text: string): AttributePath => {
  const colon = text.lastIndexOf(':');
  const [name, sub] = text.slice(colon + 1).split('.') as [string, string | undefined];
  return {
    ...(colon < 0 ? {} : { schema: text.slice(0, colon) }),
    name,
    ...(sub ? { subAttribute: sub } : {}),
  };
};
const eq = (path: string, value: FilterValue): Filter => ({
  kind: 'compare',
  path: p(path),
  op: 'eq',
  value,
});
const cmp = (path: string, op: string, value: string | number | boolean | null) =>
  ({ kind: 'compare', path: p(path), op, value }) as Filter;
const pr = (path: string): Filter => ({ kind: 'present', path: p(path) });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const vp = (path: string, filter: Filter): Filter => ({ kind: 'valuePath', path: p(path), filter });

function refusal(run: () => unknown): ScimFilterError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimFilterError);
    return e as ScimFilterError;
  }
  throw new Error('expected a ScimFilterError');
}

describe('the filter examples of RFC 7644 §3.4.2.2', () => {
  const t = '2011-05-13T04:42:34Z';
  const examples: [string, Filter][] = [
    ['userName eq "bjensen"', eq('userName', 'bjensen')],
    [`name.familyName co "O'Malley"`, cmp('name.familyName', 'co', "O'Malley")],
    ['userName sw "J"', cmp('userName', 'sw', 'J')],
    [
      'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
      cmp('urn:ietf:params:scim:schemas:core:2.0:User:userName', 'sw', 'J'),
    ],
    ['title pr', pr('title')],
    [`meta.lastModified gt "${t}"`, cmp('meta.lastModified', 'gt', t)],
    [`meta.lastModified ge "${t}"`, cmp('meta.lastModified', 'ge', t)],
    [`meta.lastModified lt "${t}"`, cmp('meta.lastModified', 'lt', t)],
    [`meta.lastModified le "${t}"`, cmp('meta.lastModified', 'le', t)],
    ['title pr and userType eq "Employee"', and(pr('title'), eq('userType', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr('title'), eq('userType', 'Intern'))],
    [
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
      eq('schemas', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'),
    ],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(
        eq('userType', 'Employee'),
        or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')),
      ),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(
        cmp('userType', 'ne', 'Employee'),
        not(or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'))),
      ),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(eq('userType', 'Employee'), eq('emails.type', 'work')),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(
        eq('userType', 'Employee'),
        vp('emails', and(eq('type', 'work'), cmp('value', 'co', '@example.com'))),
      ),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        vp('emails', and(eq('type', 'work'), cmp('value', 'co', '@example.com'))),
        vp('ims', and(eq('type', 'xmpp'), cmp('value', 'co', '@foo.com'))),
      ),
    ],
  ];
  it.each(examples)('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });
});

describe('parseFilter', () => {
  it('binds and tighter than or, both left to right; parentheses group', () => {
    expect(parseFilter('a pr or b pr and c pr')).toEqual(or(pr('a'), and(pr('b'), pr('c'))));
    expect(parseFilter('a pr and b pr or c pr')).toEqual(or(and(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('a pr and b pr and c pr')).toEqual(and(and(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('(a pr or b pr) and c pr')).toEqual(and(or(pr('a'), pr('b')), pr('c')));
    expect(parseFilter('not (a pr) and b pr')).toEqual(and(not(pr('a')), pr('b')));
  });

  it('reads operators and keywords in any case, and keeps names as written', () => {
    expect(parseFilter('userName EQ "x" AND Title Pr OR NOT (a Gt 1)')).toEqual(
      or(and(eq('userName', 'x'), pr('Title')), not(cmp('a', 'gt', 1))),
    );
  });

  it('reads JSON literals: escapes, numbers, true, false, null', () => {
    expect(parseFilter('a eq "q\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u00e9\\u0041"')).toEqual(
      eq('a', 'q"b\\s/\b\f\n\r\t\u00e9A'),
    );
    expect(parseFilter('a eq -1.5e3')).toEqual(eq('a', -1500));
    expect(parseFilter('a eq 0')).toEqual(eq('a', 0));
    expect(parseFilter('a eq true or a eq false or a eq null')).toEqual(
      or(or(eq('a', true), eq('a', false)), eq('a', null)),
    );
  });

  it('reads schema URNs and sub-attributes, and value paths', () => {
    expect(
      parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"'),
    ).toEqual(eq('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'x'));
    expect(parseFilter('emails[not (type eq "work")]')).toEqual(vp('emails', not(eq('type', 'work'))));
  });

  it('reads $ref, as Entra ID sends it in member paths', () => {
    expect(parseFilter('$ref eq null and value eq "f648"')).toEqual(
      and(eq('$ref', null), eq('value', 'f648')),
    );
    expect(parsePatchPath('members[$ref eq null and value eq "f648"]')).toEqual({
      kind: 'valuePath',
      path: p('members'),
      filter: and(eq('$ref', null), eq('value', 'f648')),
    });
    expect(refusal(() => parseFilter('$other pr')).message).toContain('Invalid attribute path');
    expect(refusal(() => parseFilter('a$b pr')).message).toContain('Invalid attribute path');
  });

  it('takes attribute names that look like keywords where an attribute is due', () => {
    expect(parseFilter('not eq "x" and and pr')).toEqual(and(eq('not', 'x'), pr('and')));
  });

  it.each([
    ['', 'empty'],
    ['userName', 'Expected an operator'],
    ['userName eq', 'Expected a value'],
    ['userName xx "a"', 'Expected an operator'],
    ['userName eq bjensen', 'Expected a value'],
    ['userName eq True', 'Expected a value'],
    ['userName eq "abc', 'Unterminated string'],
    ['userName eq "a\\x"', 'Invalid escape'],
    ['userName eq "a\\u12"', 'Invalid \\u escape'],
    ['userName eq "a\u0001"', 'Control character'],
    ['userName eq 01', 'Expected "and" or "or"'],
    ['userName eq 1e999', 'out of range'],
    ['(userName pr', 'Expected ")"'],
    ['userName pr)', 'Unbalanced ")"'],
    ['not userName pr', 'Expected an operator'],
    ['userName pr and', 'Unexpected end'],
    ['userName pr userName pr', 'Expected "and" or "or"'],
    ['emails[type eq "work"', 'Expected "]"'],
    ['emails[type eq "work"].value eq "x"', 'Expected "and" or "or"'],
    ['emails[roles[value pr]]', 'Value paths cannot nest'],
    ['user#Name pr', 'Unexpected character'],
    ['name.given.more pr', 'Invalid attribute path'],
    ['name. pr', 'Invalid attribute path'],
    ['urn:x: pr', 'Invalid attribute path'],
    ['a eq "x" & b pr', 'Unexpected character'],
  ])('refuses %j (%s) as invalidFilter with a position', (text, message) => {
    const e = refusal(() => parseFilter(text));
    expect(e.scimType).toBe('invalidFilter');
    expect(e.message).toContain(message);
    if (text !== '') expect(e.position).toBeTypeOf('number');
  });

  it('names the position of the problem', () => {
    expect(refusal(() => parseFilter('userName eq "a" and title xx 1')).position).toBe(26);
  });

  it('refuses filters beyond the limits before any work of size', () => {
    expect(refusal(() => parseFilter(`a eq "${'x'.repeat(filterLimits.maxLength)}"`)).message).toContain(
      'longer',
    );
    const deep = `${'('.repeat(filterLimits.maxDepth + 1)}a pr${')'.repeat(filterLimits.maxDepth + 1)}`;
    expect(refusal(() => parseFilter(deep)).message).toContain('nests deeper');
    const nots = `${'not ('.repeat(filterLimits.maxDepth)}a pr${')'.repeat(filterLimits.maxDepth)}`;
    expect(() => parseFilter(nots)).not.toThrow();
    const many = Array.from({ length: filterLimits.maxTerms + 1 }, () => 'a pr').join(' or ');
    expect(refusal(() => parseFilter(many)).message).toContain('more than');
    const enough = Array.from({ length: filterLimits.maxTerms }, () => 'a pr').join(' and ');
    expect(() => parseFilter(enough)).not.toThrow();
  });
});

describe('parsePatchPath (RFC 7644 §3.5.2)', () => {
  it.each([
    ['members', { kind: 'attribute', path: p('members') }],
    ['name.familyName', { kind: 'attribute', path: p('name.familyName') }],
    [
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
      {
        kind: 'attribute',
        path: p('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber'),
      },
    ],
    ['addresses[type eq "work"]', { kind: 'valuePath', path: p('addresses'), filter: eq('type', 'work') }],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
      { kind: 'valuePath', path: p('members'), filter: eq('value', '2819c223-7f76-453a-919d-413861904646') },
    ],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName',
      {
        kind: 'valuePath',
        path: p('members'),
        filter: eq('value', '2819c223-7f76-453a-919d-413861904646'),
        subAttribute: 'displayName',
      },
    ],
    [
      'emails[type eq "work" and primary eq true].value',
      {
        kind: 'valuePath',
        path: p('emails'),
        filter: and(eq('type', 'work'), eq('primary', true)),
        subAttribute: 'value',
      },
    ],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toEqual(expected);
  });

  it.each([
    '',
    'emails[type eq "work"',
    'emails[type eq "work"].',
    'emails[type eq "work"].value.more',
    'emails[type eq "work"]value',
    'name.givenName[type pr].x',
    'emails eq "x"',
    'members[value eq "a"] and x pr',
    '[value pr]',
  ])('refuses %j as invalidPath', (text) => {
    expect(refusal(() => parsePatchPath(text)).scimType).toBe('invalidPath');
  });
});

describe('parseAttributePath', () => {
  it('reads a path and refuses anything more', () => {
    expect(parseAttributePath('name.givenName')).toEqual(p('name.givenName'));
    expect(refusal(() => parseAttributePath('name pr')).scimType).toBe('invalidFilter');
  });
});
