import { ScimFilterError, type ScimFilterErrorType } from './errors.js';

/** A token of the filter and path grammars; `at` is its 0-based position in the input. */
export type Token =
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number }
  | { type: '(' | ')' | '[' | ']' | '.' | 'end'; at: number };

const whitespace = new Set([' ', '\t', '\r', '\n']);
const punctuation = new Set(['(', ')', '[', ']', '.']);
/**
 * A word: an attribute path (with its schema URN), an operator, `and`/`or`/`not`, `true`/`false`/`null`.
 * `$` is read for the `$ref` sub-attribute (RFC 7643 §2.3.7), which Entra ID names in member paths.
 */
const wordPattern = /[A-Za-z$][A-Za-z0-9_\-:.$]*/y;
/** RFC 8259 number. */
const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const escapes: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const hex4 = /^[0-9A-Fa-f]{4}$/;

/** Splits `input` into tokens; linear time, no backtracking beyond one token. */
export function tokenize(input: string, scimType: ScimFilterErrorType): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (whitespace.has(c)) {
      i++;
    } else if (punctuation.has(c)) {
      tokens.push({ type: c as '(' | ')' | '[' | ']' | '.', at: i });
      i++;
    } else if (c === '"') {
      const { value, end } = readString(input, i, scimType);
      tokens.push({ type: 'string', value, at: i });
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      numberPattern.lastIndex = i;
      const m = numberPattern.exec(input);
      if (!m) throw new ScimFilterError(scimType, 'Invalid number', i);
      const value = Number(m[0]);
      if (!Number.isFinite(value)) throw new ScimFilterError(scimType, 'Number out of range', i);
      tokens.push({ type: 'number', value, at: i });
      i += m[0].length;
    } else {
      wordPattern.lastIndex = i;
      const m = wordPattern.exec(input);
      if (!m) throw new ScimFilterError(scimType, `Unexpected character ${JSON.stringify(c)}`, i);
      tokens.push({ type: 'word', text: m[0], at: i });
      i += m[0].length;
    }
  }
  tokens.push({ type: 'end', at: input.length });
  return tokens;
}

/** A JSON string (RFC 8259 §7) starting at the quote at `start`. */
function readString(
  input: string,
  start: number,
  scimType: ScimFilterErrorType,
): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= input.length) throw new ScimFilterError(scimType, 'Unterminated string', start);
    const c = input.charAt(i);
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\') {
      const e = input.charAt(i + 1);
      if (e === 'u') {
        const digits = input.slice(i + 2, i + 6);
        if (!hex4.test(digits)) throw new ScimFilterError(scimType, 'Invalid \\u escape in string', i);
        value += String.fromCharCode(parseInt(digits, 16));
        i += 6;
      } else {
        const decoded = escapes[e];
        if (decoded === undefined) throw new ScimFilterError(scimType, 'Invalid escape in string', i);
        value += decoded;
        i += 2;
      }
    } else if (c < ' ') {
      throw new ScimFilterError(scimType, 'Control character in string (escape it)', i);
    } else {
      value += c;
      i++;
    }
  }
}
