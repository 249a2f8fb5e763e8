import { Anchor, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/errors';
import { completeSignIn, type SecondFactorProof } from '../auth/complete-sign-in';
import type { MfaChallenge } from '../auth/sign-in';
import { OtherMethodLinks } from '../ui/other-method-links';
import { FormError } from '../ui/states';

type Mode = 'totp' | 'recovery' | 'passkey';

const switchLabels: Record<Mode, string> = {
  totp: 'Use the authenticator app',
  recovery: 'Use a recovery code',
  passkey: 'Use a passkey',
};

const instructions: Record<Mode, string> = {
  totp: 'Open your authenticator app and type the 6-digit code it shows for Roster.',
  recovery: 'Type one of your recovery codes. Each works once.',
  passkey: 'Confirm with one of your passkeys: your browser or device asks for it.',
};

/**
 * The sign-in's second step, with the methods the challenge offers: a code from the authenticator app, a
 * passkey (the browser's prompt, limited to the person's own passkeys), or one of the recovery codes. A
 * failure counts toward the lockout like a wrong password; after a few the challenge ends and the person
 * starts again with the password (`onRestart`).
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
  const offered: Mode[] = [
    ...(challenge.methods.includes('TOTP') ? (['totp'] as const) : []),
    ...(challenge.methods.includes('WEBAUTHN') ? (['passkey'] as const) : []),
    ...(challenge.methods.includes('RECOVERY_CODE') ? (['recovery'] as const) : []),
  ];
  const [mode, setMode] = useState<Mode>(offered[0] ?? 'totp');
  const [code, setCode] = useState('');
  const mutation = useMutation({
    mutationFn: (proof: SecondFactorProof) => completeSignIn(challenge.id, proof),
    onSuccess: onDone,
    onError: () => setCode(''),
  });
  const ended = mutation.error instanceof ApiError && mutation.error.has('MFA_CHALLENGE_INVALID');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'passkey') mutation.mutate({ passkey: true });
    else if (code.trim())
      mutation.mutate(
        mode === 'recovery' ? { recoveryCode: code.trim() } : { totpCode: code.replace(/\s+/g, '') },
      );
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Stack gap={4}>
          <Title order={1} size="h2">
            Two-step sign-in
          </Title>
          <Text c="dimmed" size="sm">
            {instructions[mode]}
          </Text>
        </Stack>
        {mode === 'recovery' ? (
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
        ) : mode === 'totp' ? (
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
        ) : null}
        <FormError error={mutation.error} />
        {ended ? (
          <Button type="button" onClick={onRestart}>
            Sign in again
          </Button>
        ) : mode === 'passkey' ? (
          <Button type="submit" loading={mutation.isPending} data-autofocus autoFocus>
            Continue with a passkey
          </Button>
        ) : (
          <Button type="submit" loading={mutation.isPending} disabled={!code.trim()}>
            Verify
          </Button>
        )}
        <OtherMethodLinks
          methods={offered}
          current={mode}
          labels={switchLabels}
          onChoose={(m) => {
            setMode(m);
            setCode('');
            mutation.reset();
          }}
        />
        <Anchor component="button" type="button" size="sm" onClick={onRestart}>
          Start again with another account
        </Anchor>
      </Stack>
    </form>
  );
}
