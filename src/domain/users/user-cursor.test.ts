import { describe, expect, it } from 'vitest';
import { decodeUserCursor, encodeUserCursor, type UserOrder } from './user-cursor.js';
import { escapeLike, planSearch } from './user-filter.js';
import { readsAdaptively } from './user-page-query.js';

const id = '0b7c4f7e-2f43-4c39-9a55-1d0f6f1f2a10';

describe('user cursor', () => {
  it('round-trips each kind of position and stays opaque (base64url)', () => {
    const cases: [UserOrder, string | null][] = [
      [{ field: 'NAME', direction: 'ASC' }, 'anna garcia anna@x.test'],
      [{ field: 'EMAIL', direction: 'DESC' }, 'ünïcode@x.test'],
      [{ field: 'CREATED_AT', direction: 'ASC' }, '2026-01-01T10:00:00.000001Z'],
      [{ field: 'LAST_ACTIVE_AT', direction: 'DESC' }, null],
    ];
    for (const [order, value] of cases) {
      const encoded = encodeUserCursor({ order, value, id });
      expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeUserCursor(encoded, order)).toEqual({ order, value, id });
    }
  });

  it('refuses a cursor made for another order or direction', () => {
    const c = encodeUserCursor({ order: { field: 'NAME', direction: 'ASC' }, value: 'a', id });
    expect(() => decodeUserCursor(c, { field: 'NAME', direction: 'DESC' })).toThrow(/another sort order/);
    expect(() => decodeUserCursor(c, { field: 'EMAIL', direction: 'ASC' })).toThrow(/another sort order/);
  });

  it('refuses oversized and malformed cursors', () => {
    const order: UserOrder = { field: 'NAME', direction: 'ASC' };
    expect(() => decodeUserCursor('A'.repeat(3000), order)).toThrow(/not valid/);
    expect(() => decodeUserCursor('', order)).toThrow(/not valid/);
    expect(() => decodeUserCursor('e30', order)).toThrow(/not valid/); // "{}"
  });
});

describe('search plan', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });

  it('uses a substring search from a 3-character word, a word-prefix search below', () => {
    expect(planSearch('GARcia')).toEqual({ kind: 'substring', pattern: '%garcia%' });
    expect(planSearch('ake_ca')).toEqual({ kind: 'substring', pattern: '%ake\\_ca%' });
    expect(planSearch('zoë')).toEqual({ kind: 'substring', pattern: '%zoë%' });
    expect(planSearch('Jo')).toEqual({ kind: 'word_prefix', start: 'jo%', afterSpace: '% jo%' });
    expect(planSearch('50%')).toEqual({ kind: 'word_prefix', start: '50\\%%', afterSpace: '% 50\\%%' });
    expect(planSearch('a.b')).toEqual({ kind: 'word_prefix', start: 'a.b%', afterSpace: '% a.b%' });
  });
});

describe('adaptive reads', () => {
  const by = (field: UserOrder['field']): UserOrder => ({ field, direction: 'ASC' });
  it('reads adaptively where the filter clusters along the sort key, and trusts the planner elsewhere', () => {
    expect(readsAdaptively(undefined, by('NAME'))).toBe(false);
    expect(readsAdaptively({ search: 'maria' }, by('NAME'))).toBe(true);
    expect(readsAdaptively({ search: 'maria' }, by('CREATED_AT'))).toBe(true);
    expect(readsAdaptively({ status: ['suspended'], role: ['auditor'] }, by('NAME'))).toBe(false);
    expect(readsAdaptively({ status: ['suspended'] }, by('CREATED_AT'))).toBe(false);
    expect(readsAdaptively({ neverSignedIn: true }, by('NAME'))).toBe(false);
    expect(readsAdaptively({ neverSignedIn: true }, by('CREATED_AT'))).toBe(true);
    expect(readsAdaptively({ neverSignedIn: true }, by('LAST_ACTIVE_AT'))).toBe(true);
    expect(readsAdaptively({ status: ['invited'] }, by('LAST_ACTIVE_AT'))).toBe(true);
    expect(readsAdaptively({ lastActiveAfter: new Date() }, by('LAST_ACTIVE_AT'))).toBe(false);
    expect(readsAdaptively({ status: [], role: [] }, by('LAST_ACTIVE_AT'))).toBe(false);
  });
});
