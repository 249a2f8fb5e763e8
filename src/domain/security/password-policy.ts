import { DomainError } from '../errors.js';
import { isCommonPassword } from './password-blocklist.js';
import { guessesLog10, minGuessesLog10, minGuessesLog10WithMfa } from './password-patterns.js';

/**
 * NIST SP 800-63B rev. 4: length, not composition. 15 characters when the password is the only factor,
 * 8 with a second factor; any Unicode, normalised (NFKC); never truncated; refused when it is on the list of
 * common and breached passwords shipped with the product (password-blocklist.ts), when it is predictable
 * (sequences, keyboard walks, repeated chunks, decorated common words: password-patterns.ts), or when it
 * contains context-specific words: the email's name, the person's own name, the organisation's name.
 */
export const passwordRules = {
  minLengthSingleFactor: 15,
  minLengthWithMfa: 8,
  maxLength: 256,
} as const;

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export type PasswordProblem =
  | 'too_short'
  | 'too_long'
  | 'common'
  | 'predictable'
  | 'contains_email'
  | 'contains_name'
  | 'contains_organization';

/** Who the password is for: the words an attacker who targets this account tries first. */
export interface PasswordContext {
  hasMfa?: boolean;
  /**
   * The organisation's minimum length (`minPasswordLength`, password-settings.ts). It can only raise the
   * floor: a smaller value than NIST's (15 alone, 8 with MFA) changes nothing.
   */
  minLength?: number | null;
  email?: string;
  displayName?: string;
  organizationName?: string;
  organizationSlug?: string;
}

/** Lower-case, NFKC, letters and digits only: `Jane O'Neil` and `jane-o-neil` compare alike. */
const folded = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
const wordsOf = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);

/** Pure but for the shipped lists: what is wrong with a password, if anything. Length counts code points. */
export function passwordProblems(password: string, ctx: PasswordContext = {}): PasswordProblem[] {
  const p = normalizePassword(password);
  const length = [...p].length;
  const min = minPasswordLength(ctx);
  const problems: PasswordProblem[] = [];
  if (length < min) problems.push('too_short');
  if (length > passwordRules.maxLength) problems.push('too_long');
  if (isCommonPassword(p)) problems.push('common');

  const emailName = ctx.email?.split('@')[0] ?? '';
  const nameWords = wordsOf(ctx.displayName ?? '');
  const orgWords = [...wordsOf(ctx.organizationName ?? ''), ...wordsOf(ctx.organizationSlug ?? '')];
  const context = [
    ...(ctx.email ? [ctx.email.toLowerCase(), emailName.toLowerCase(), ...wordsOf(emailName)] : []),
    ...nameWords,
    ...orgWords,
    ...[ctx.organizationName, ctx.organizationSlug].flatMap((s) => (s ? [folded(s)] : [])),
    'roster',
  ].filter((w) => w.length >= 3);
  const minGuesses = ctx.hasMfa ? minGuessesLog10WithMfa : minGuessesLog10;
  if (!problems.includes('common') && guessesLog10(p, context) < minGuesses) {
    problems.push('predictable');
  }

  const lower = p.toLowerCase();
  const flat = folded(p);
  const local = emailName.toLowerCase();
  if (local.length >= 4 && (lower.includes(local) || flat.includes(folded(local)))) {
    problems.push('contains_email');
  }
  if (nameWords.some((w) => w.length >= 4 && flat.includes(w))) problems.push('contains_name');
  const orgWholes = [ctx.organizationName, ctx.organizationSlug].map((s) => folded(s ?? ''));
  if (orgWholes.some((w) => w.length >= 4 && flat.includes(w))) problems.push('contains_organization');
  return problems;
}

/** The minimum length for this password: NIST's floor for the factors held, raised by the organisation's. */
export function minPasswordLength(ctx: Pick<PasswordContext, 'hasMfa' | 'minLength'> = {}): number {
  const floor = ctx.hasMfa ? passwordRules.minLengthWithMfa : passwordRules.minLengthSingleFactor;
  const org = ctx.minLength;
  return typeof org === 'number' && Number.isInteger(org) && org > floor
    ? Math.min(org, passwordRules.maxLength)
    : floor;
}

/** Loads the shipped lists and pattern dictionaries now, so that no request pays for it. */
export function warmUpPasswordPolicy(): void {
  passwordProblems('warm up the password lists');
}

const messages: Record<PasswordProblem, string> = {
  too_short: `Use at least ${passwordRules.minLengthSingleFactor} characters.`,
  too_long: `Use at most ${passwordRules.maxLength} characters.`,
  common: 'This password is on a list of common or breached passwords; choose another.',
  predictable:
    'This password is easy to guess (a sequence, keyboard pattern, repetition or common word); try a few unrelated words.',
  contains_email: 'The password must not contain your email name.',
  contains_name: 'The password must not contain your name.',
  contains_organization: "The password must not contain the organisation's name.",
};

export function assertPasswordAcceptable(
  password: string,
  ctx: PasswordContext & { field?: string } = {},
): void {
  const problems = passwordProblems(password, ctx);
  if (problems.length > 0) {
    const first = problems[0]!;
    const message =
      first === 'too_short' ? `Use at least ${minPasswordLength(ctx)} characters.` : messages[first];
    throw new DomainError('PASSWORD_POLICY', message, {
      field: ctx.field ?? 'password',
      problems,
      minLength: minPasswordLength(ctx),
    });
  }
}
