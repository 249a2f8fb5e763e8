import { List, Text, ThemeIcon, VisuallyHidden } from '@mantine/core';
import { IconCheck, IconInfoCircle, IconX } from './icons';

/**
 * The API's password policy (NIST SP 800-63B), explained while the person types. The server has the
 * final word (it also refuses about 200,000 common and breached passwords, predictable ones — sequences,
 * keyboard walks, repetitions — and ones containing the person's email, name or the organisation's name).
 */
export const passwordPolicy = { minLength: 15, maxLength: 256 } as const;

const length = (p: string) => [...p.normalize('NFKC')].length;

interface Rule {
  label: string;
  /** true: met, false: not met, null: checked by the server on submit. */
  met: boolean | null;
}

/**
 * `minLength`: the minimum for this account when the API told it (the organisation may raise NIST's
 * floor of 15); 15 otherwise.
 */
export function passwordRules(
  password: string,
  confirmation: string,
  minLength: number = passwordPolicy.minLength,
): Rule[] {
  const n = length(password);
  return [
    {
      label: `At least ${minLength} characters (${n} so far)`,
      met: n >= minLength,
    },
    { label: `At most ${passwordPolicy.maxLength} characters`, met: n <= passwordPolicy.maxLength },
    {
      label: 'Not just one character over and over (like “aaaaaaaaaaaaaaa”)',
      met: n === 0 ? false : !/^(.)\1+$/u.test(password),
    },
    { label: 'Both entries match', met: password.length > 0 && password === confirmation },
    {
      label:
        'Not a common or leaked password, not a predictable pattern (abcdef, 123456, qwerty walks, a repeated chunk, a date), and without your name, email or the organisation’s name (checked when you continue)',
      met: null,
    },
  ];
}

export function passwordAcceptable(password: string, confirmation: string, minLength?: number): boolean {
  return passwordRules(password, confirmation, minLength).every((r) => r.met !== false);
}

export function PasswordRules({
  password,
  confirmation,
  minLength,
}: {
  password: string;
  confirmation: string;
  minLength?: number | undefined;
}) {
  const rules = passwordRules(password, confirmation, minLength);
  return (
    <div>
      <Text size="sm" fw={500} id="password-rules-title">
        Your password
      </Text>
      <Text size="xs" c="dimmed" mb={4}>
        Length makes a password strong: a few unrelated words work well. Any characters, no forced mix.
      </Text>
      <List spacing={2} size="sm" aria-labelledby="password-rules-title" aria-live="polite">
        {rules.map((r) => (
          <List.Item
            key={r.label}
            icon={
              <ThemeIcon
                size={18}
                radius="xl"
                color={r.met === null ? 'gray' : r.met ? 'teal' : 'red'}
                variant={r.met === null ? 'light' : 'filled'}
                aria-hidden
              >
                {r.met === null ? (
                  <IconInfoCircle size={12} />
                ) : r.met ? (
                  <IconCheck size={12} />
                ) : (
                  <IconX size={12} />
                )}
              </ThemeIcon>
            }
          >
            <Text size="sm" c={r.met === false ? 'red.8' : undefined}>
              {r.label}
              <VisuallyHidden>{r.met === null ? '' : r.met ? ': met' : ': not met yet'}</VisuallyHidden>
            </Text>
          </List.Item>
        ))}
      </List>
    </div>
  );
}
