import { PasswordInput, SimpleGrid } from '@mantine/core';
import { useId, useState } from 'react';
import { PasswordRules, passwordAcceptable } from './password-rules';

/** The state of a new password and its repetition, and whether the rules the console can check hold. */
export function useNewPassword(minLength: number | undefined) {
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  return {
    password,
    confirmation,
    setPassword,
    setConfirmation,
    minLength,
    acceptable: passwordAcceptable(password, confirmation, minLength),
    clear: () => {
      setPassword('');
      setConfirmation('');
    },
  };
}

export type NewPassword = ReturnType<typeof useNewPassword>;

interface Props {
  value: NewPassword;
  /** The server's refusal of the new password (PASSWORD_POLICY), shown under the first field. */
  error?: string | null;
  /** "New password" where a password exists already (change, reset); "Password" for a new account. */
  label?: string;
  autoFocus?: boolean;
}

/**
 * The new password, its repetition and the rules checked as they are typed — one component for every
 * page that sets a password (invitation, reset, change), so they explain the policy the same way. Two
 * columns when there is room; `autocomplete="new-password"` on both for password managers.
 */
export function NewPasswordFields({ value, error = null, label = 'New password', autoFocus }: Props) {
  const rulesId = useId();
  const repeatLabel = label === 'New password' ? 'Repeat the new password' : 'Repeat the password';
  return (
    <>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="sm">
        <PasswordInput
          label={label}
          required
          autoComplete="new-password"
          value={value.password}
          onChange={(e) => value.setPassword(e.currentTarget.value)}
          error={error}
          aria-describedby={rulesId}
          autoFocus={autoFocus}
        />
        <PasswordInput
          label={repeatLabel}
          required
          autoComplete="new-password"
          value={value.confirmation}
          onChange={(e) => value.setConfirmation(e.currentTarget.value)}
        />
      </SimpleGrid>
      <div id={rulesId}>
        <PasswordRules
          password={value.password}
          confirmation={value.confirmation}
          minLength={value.minLength}
        />
      </div>
    </>
  );
}
