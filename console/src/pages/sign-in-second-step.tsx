import { Anchor, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/errors';
import { completeSignIn } from '../auth/complete-sign-in';
import type { MfaChallenge } from '../auth/sign-in';
import { FormError } from '../ui/states';

/**
 * The sign-in's second step: a code from the authenticator app, or (switch) one of the recovery codes.
 * A wrong code counts toward the lockout like a wrong password; after a few the challenge ends and the
 * person starts again with the password (`onRestart`).
 */
export function SignInSecondStep({
  challenge,
  onDone,
  onRestart,
}: {
  challenge: MfaChallenge;
  onDone: () => void;
  onRestart: () => void;
}) {
  const canRecover = challenge.methods.includes('RECOVERY_CODE');
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const mutation = useMutation({
    mutationFn: () =>
      completeSignIn(
        challenge.id,
        useRecovery ? { recoveryCode: code.trim() } : { totpCode: code.replace(/\s+/g, '') },
      ),
    onSuccess: onDone,
    onError: () => setCode(''),
  });
  const ended = mutation.error instanceof ApiError && mutation.error.has('MFA_CHALLENGE_INVALID');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) mutation.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Stack gap={4}>
          <Title order={1} size="h2">
            Two-step sign-in
          </Title>
          <Text c="dimmed" size="sm">
            {useRecovery
              ? 'Type one of your recovery codes. Each works once.'
              : 'Open your authenticator app and type the 6-digit code it shows for Roster.'}
          </Text>
        </Stack>
        {useRecovery ? (
          <TextInput
            key="recovery"
            label="Recovery code"
            autoComplete="off"
            spellCheck={false}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            data-autofocus
            autoFocus
          />
        ) : (
          <TextInput
            key="totp"
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            data-autofocus
            autoFocus
          />
        )}
        <FormError error={mutation.error} />
        {ended ? (
          <Button type="button" onClick={onRestart}>
            Sign in again
          </Button>
        ) : (
          <Button type="submit" loading={mutation.isPending} disabled={!code.trim()}>
            Verify
          </Button>
        )}
        {canRecover ? (
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setUseRecovery((v) => !v);
              setCode('');
              mutation.reset();
            }}
          >
            {useRecovery ? 'Use the authenticator app' : 'Use a recovery code'}
          </Anchor>
        ) : null}
        <Anchor component="button" type="button" size="sm" onClick={onRestart}>
          Start again with another account
        </Anchor>
      </Stack>
    </form>
  );
}
