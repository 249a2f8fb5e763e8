import { DomainError } from '../errors.js';
import { isUuid } from '../shared/ids.js';

/** The orders the user list offers. Every order ends with the id, so positions are unique. */
export const userSortFields = ['NAME', 'EMAIL', 'CREATED_AT', 'LAST_ACTIVE_AT'] as const;
export type UserSortField = (typeof userSortFields)[number];
export const sortDirections = ['ASC', 'DESC'] as const;
export type SortDirection = (typeof sortDirections)[number];

export interface UserOrder {
  field: UserSortField;
  direction: SortDirection;
}

export const defaultUserOrder: UserOrder = { field: 'NAME', direction: 'ASC' };

/** The column each order sorts by; each has an index (org_id, column, id). */
export const userSortColumns = {
  NAME: 'search_text',
  EMAIL: 'email_normalized',
  CREATED_AT: 'created_at',
  LAST_ACTIVE_AT: 'last_active_at',
} as const satisfies Record<UserSortField, string>;

const timestampFields: ReadonlySet<UserSortField> = new Set(['CREATED_AT', 'LAST_ACTIVE_AT']);
/** Sort keys that may be null; nulls come last in both directions. */
const nullableFields: ReadonlySet<UserSortField> = new Set(['LAST_ACTIVE_AT']);

export const isTimestampSort = (field: UserSortField) => timestampFields.has(field);
export const isNullableSort = (field: UserSortField) => nullableFields.has(field);

/**
 * A position in the list: the sort value of the last row seen and its id. Timestamps travel as UTC text
 * with microseconds (`2026-11-27T10:00:00.123456Z`): the database keeps microseconds and a JavaScript Date
 * only milliseconds, so a Date would skip or repeat rows that differ below the millisecond.
 */
export interface UserCursor {
  order: UserOrder;
  value: string | null;
  id: string;
}

/** Longest cursor accepted; a real one is well under this (a 200-character name is the longest value). */
export const maxCursorLength = 2048;
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const base64url = /^[A-Za-z0-9_-]+$/;

/** A well-formed instant that exists (Date.parse alone would roll 30 February over into March). */
function isRealTimestamp(value: string): boolean {
  if (!timestampPattern.test(value)) return false;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 23) === value.slice(0, 23);
}

/** Opaque to clients: base64url of JSON `[field, direction, value, id]`. */
export function encodeUserCursor(cursor: UserCursor): string {
  const { order, value, id } = cursor;
  return Buffer.from(JSON.stringify([order.field, order.direction, value, id])).toString('base64url');
}

const badCursor = (field: string, message = 'The cursor is not valid.') =>
  new DomainError('VALIDATION_FAILED', message, { field });

/**
 * Reads a cursor made by `encodeUserCursor` for the same order. Anything else — garbage, a cursor of
 * another order (its position means nothing in this one), a malformed value — is VALIDATION_FAILED.
 */
export function decodeUserCursor(raw: string, order: UserOrder, argument = 'after'): UserCursor {
  const bad = (message?: string) => badCursor(argument, message);
  if (raw.length === 0 || raw.length > maxCursorLength || !base64url.test(raw)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad();
  const [field, direction, value, id] = parsed as unknown[];
  if (field !== order.field || direction !== order.direction) {
    throw bad('The cursor belongs to another sort order; start again from the first page.');
  }
  if (typeof id !== 'string' || !isUuid(id)) throw bad();
  if (value === null) {
    if (!isNullableSort(order.field)) throw bad();
  } else if (typeof value !== 'string') {
    throw bad();
  } else if (isTimestampSort(order.field)) {
    if (!isRealTimestamp(value)) throw bad();
  } else if (value.length > 1000) {
    throw bad();
  }
  return { order, value, id: id.toLowerCase() };
}
