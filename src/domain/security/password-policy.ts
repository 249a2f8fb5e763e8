import { dictionary } from '@zxcvbn-ts/language-common';
import { DomainError } from '../errors.js';

/**
 * NIST SP 800-63B rev. 4: length, not composition. 15 characters when the password is the only factor,
 * 8 with a second factor; any Unicode, normalised (NFKC); never truncated; checked against a list of
 * common and breached passwords shipped with the product (zxcvbn-ts' 49k list).
 */
export const passwordRules = {
  minLengthSingleFactor: 15,
  minLengthWithMfa: 8,
  maxLength: 256,
} as const;

const common = new Set<string>((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));

export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_email';

/** Pure: what is wrong with a password, if anything. Length counts characters (code points), not bytes. */
export function passwordProblems(
  password: string,
  opts: { hasMfa?: boolean; email?: string } = {},
): PasswordProblem[] {
  const p = normalizePassword(password);
  const length = [...p].length;
  const min = opts.hasMfa ? passwordRules.minLengthWithMfa : passwordRules.minLengthSingleFactor;
  const problems: PasswordProblem[] = [];
  if (length < min) problems.push('too_short');
  if (length > passwordRules.maxLength) problems.push('too_long');
  const lower = p.toLowerCase();
  if (common.has(lower) || /^(.)\1+$/u.test(p)) problems.push('common');
  const local = opts.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) problems.push('contains_email');
  return problems;
}

const messages: Record<PasswordProblem, string> = {
  too_short: `Use at least ${passwordRules.minLengthSingleFactor} characters.`,
  too_long: `Use at most ${passwordRules.maxLength} characters.`,
  common: 'This password is too common; choose another.',
  contains_email: 'The password must not contain your email name.',
};

export function assertPasswordAcceptable(
  password: string,
  opts: { hasMfa?: boolean; email?: string } = {},
): void {
  const problems = passwordProblems(password, opts);
  if (problems.length > 0) {
    const first = problems[0]!;
    const message =
      first === 'too_short' && opts.hasMfa
        ? `Use at least ${passwordRules.minLengthWithMfa} characters.`
        : messages[first];
    throw new DomainError('PASSWORD_POLICY', message, { field: 'password', problems });
  }
}
