import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DB } from '../../../db/schema.js';
import { escapeLike } from './compile-filter.js';
import { compileUserFilter } from './compile-user-filter.js';
import { ScimFilterError } from './errors.js';
import { parseFilter } from './parse-filter.js';
import { userSortExpression } from './sort-expression.js';

/** Kysely without a database: SQL text only (the results are tested on both databases in test/scim/). */
const db = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

function where(filter: string, table?: string) {
  const q = db
    .selectFrom('users')
    .select('id')
    .where(compileUserFilter(parseFilter(filter), table ? { table } : {}))
    .compile();
  return {
    sql: q.sql.replace(/\s+/g, ' ').replace(/^select "id" from "users" where /, ''),
    parameters: q.parameters,
  };
}

describe('compileUserFilter', () => {
  it('looks userName up in the folded email column, the value folded here: an index probe', () => {
    expect(where('userName eq "Ada@Example.COM"')).toEqual({
      sql: '("users"."email_normalized" is not null and "users"."email_normalized" = $1)',
      parameters: ['ada@example.com'],
    });
  });

  it('compares externalId exactly and other strings through lower()', () => {
    expect(where('externalId eq "Ext-1"').sql).toBe(
      '("users"."external_id" is not null and "users"."external_id" = $1)',
    );
    expect(where('title eq "CEO"').sql).toBe(
      '("users"."job_title" is not null and lower("users"."job_title") = lower($1))',
    );
  });

  it('escapes LIKE wildcards in co, sw and ew', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
    expect(where('title co "5%_"').parameters).toEqual(['%5\\%\\_%']);
    expect(where('title sw "a"').parameters).toEqual(['a%']);
    expect(where('title ew "a"').parameters).toEqual(['%a']);
    expect(where('title co "x"').sql).toContain("like lower($1) escape '\\'");
  });

  it('orders strings by code point', () => {
    expect(where('displayName gt "m"').sql).toContain('collate "C" > lower($1)');
  });

  it('puts department memberships in EXISTS, one per term, one for a value path', () => {
    expect(where('groups.display eq "a" and groups.value eq "b"').sql.match(/exists/g)).toHaveLength(2);
    expect(where('groups[display eq "a" and value pr]').sql.match(/exists/g)).toHaveLength(1);
  });

  it('refers to the users table by the alias it is given', () => {
    expect(where('groups pr', 'u').sql).toContain('membership.user_id = "u".id');
  });

  it('answers an id that is no canonical uuid with false, without casting it', () => {
    expect(where('id eq "nope"')).toEqual({ sql: 'false', parameters: [] });
    expect(where('id eq "0B8E4F3C-1D2A-4C5B-9E6F-7A8B9C0D1E2F"')).toEqual({ sql: 'false', parameters: [] });
    expect(where('groups.value eq "0B8E4F3C-1D2A-4C5B-9E6F-7A8B9C0D1E2F"').parameters).toEqual([
      '0b8e4f3c-1d2a-4c5b-9e6f-7a8b9c0d1e2f',
    ]);
  });

  it.each([
    ['userType eq "Employee"', 'Unknown attribute userType'],
    ['employeeNumber eq "1"', 'Unknown attribute employeeNumber'],
    ['urn:example:x:title pr', 'Unknown attribute'],
    ['name.middleName pr', 'Unknown attribute'],
    ['userName.x pr', 'Unknown attribute'],
    ['emails[display pr]', 'Unknown attribute'],
    ['emails[emails.value pr]', 'Unknown attribute'],
    ['userName[value pr]', 'not a complex attribute'],
    ['name eq "Ada"', 'complex attribute'],
    ['meta gt "2026-01-01T00:00:00Z"', 'complex attribute'],
    ['active gt true', 'boolean'],
    ['active eq "true"', 'boolean'],
    ['emails.primary co true', 'boolean'],
    ['userName eq 1', 'string'],
    ['userName eq true', 'string'],
    ['title gt null', 'null'],
    ['meta.created co "2026"', 'dateTime'],
    ['meta.created gt "2026-01-01"', 'dateTime'],
    ['meta.lastModified eq "2026-02-30T00:00:00Z"', 'dateTime'],
  ])('refuses %s as invalidFilter', (filter, message) => {
    try {
      compileUserFilter(parseFilter(filter));
    } catch (e) {
      expect(e).toBeInstanceOf(ScimFilterError);
      expect((e as ScimFilterError).scimType).toBe('invalidFilter');
      expect((e as ScimFilterError).message).toContain(message);
      return;
    }
    throw new Error(`${filter} compiled`);
  });
});

describe('userSortExpression', () => {
  const orderBy = (sortBy: string) =>
    db
      .selectFrom('users')
      .select('id')
      .orderBy(userSortExpression(sortBy))
      .compile()
      .sql.replace(/.* order by /, '');
  it('maps attributes to the value they sort by', () => {
    expect(orderBy('userName')).toBe(`nullif("users"."email_normalized", '')`);
    expect(orderBy('name.familyName')).toBe(`nullif(lower("users"."family_name"), '')`);
    expect(orderBy('emails')).toBe(`nullif("users"."email_normalized", '')`);
    expect(orderBy('meta.lastModified')).toBe('"users"."updated_at"');
    expect(orderBy('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber')).toBe(
      `nullif(lower("users"."employee_number"), '')`,
    );
  });
  it.each(['groups', 'groups.display', 'name', 'nickName', 'name pr'])('refuses %s', (sortBy) => {
    expect(() => userSortExpression(sortBy)).toThrow(ScimFilterError);
  });
});
