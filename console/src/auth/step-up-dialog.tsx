import { Button, Group, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { startAuthentication } from '@simplewebauthn/browser';
import { useEffect, useRef, useState } from 'react';
import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { passkeyBrowserError } from '../api/passkeys';
import { session } from '../api/session';
import { BeginReauthenticationPasskey, Reauthenticate, StepUpMethods } from '../api/step-up';
import { OtherMethodLinks } from '../ui/other-method-links';
import { FormError } from '../ui/states';
import { setReauthenticationPrompt } from './step-up';

type Method = 'password' | 'totp' | 'passkey';

const switchLabels: Record<Method, string> = {
  password: 'Use your password',
  totp: 'Use the authenticator app',
  passkey: 'Use a passkey',
};

/** The methods this person has, password first (it always works); the others when they are set up. */
async function methodsOfViewer(): Promise<Method[]> {
  try {
    const r = await request(StepUpMethods);
    return [
      'password',
      ...(r.viewer?.mfaFactors?.some((f) => f.kind === 'TOTP') ? (['totp'] as const) : []),
      ...(r.myPasskeys.length > 0 ? (['passkey'] as const) : []),
    ];
  } catch {
    return ['password'];
  }
}

/** A passkey's assertion for options bound to this session. */
async function passkeyAssertion(): Promise<unknown> {
  const begun = unwrapPayload((await request(BeginReauthenticationPasskey)).beginReauthenticationPasskey);
  try {
    return await startAuthentication({
      optionsJSON: begun.options as Parameters<typeof startAuthentication>[0]['optionsJSON'],
    });
  } catch (err) {
    throw passkeyBrowserError(err);
  }
}

/**
 * The one re-authentication dialog of the console (auth/step-up.ts): asks the person to confirm who they
 * are when an action needs a recent authentication — with their password, or the authenticator app or a
 * passkey when they have set one up — calls `reauthenticate`, keeps the new access token, and lets the
 * waiting request retry. Cancel (or Escape) gives the request its original answer. A wrong answer stays
 * in the dialog with the API's message (it counts toward the sign-in lockout, as on the sign-in page). It
 * opens over whatever dialog asked for the action, so focus goes back there when it closes (Mantine's own
 * return, not ui/focus-return.ts, which would send it to the page behind the still-open dialog).
 */
export function StepUpDialog() {
  const [opened, setOpened] = useState(false);
  const [methods, setMethods] = useState<Method[]>(['password']);
  const [method, setMethod] = useState<Method>('password');
  const [secret, setSecret] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);

  useEffect(
    () =>
      setReauthenticationPrompt(
        () =>
          new Promise<boolean>((resolve) => {
            resolver.current = resolve;
            setSecret('');
            setError(null);
            setMethod('password');
            setMethods(['password']);
            setOpened(true);
            void methodsOfViewer().then(setMethods);
          }),
      ),
    [],
  );

  const finish = (ok: boolean) => {
    setOpened(false);
    setSecret('');
    setPending(false);
    const resolve = resolver.current;
    resolver.current = null;
    resolve?.(ok);
  };

  const submit = async () => {
    setPending(true);
    setError(null);
    try {
      const input =
        method === 'passkey'
          ? { passkeyAssertion: await passkeyAssertion() }
          : method === 'totp'
            ? { totpCode: secret.replace(/\s+/g, '') }
            : { password: secret };
      const r = await request(Reauthenticate, { input });
      const p = r.reauthenticate;
      if (p.userErrors.length > 0 || !p.accessToken) {
        setError(
          new ApiError(
            p.userErrors.length > 0 ? [...p.userErrors] : [{ code: 'UNKNOWN', message: 'No answer.' }],
          ),
        );
        setSecret('');
        setPending(false);
        return;
      }
      session.reauthenticated({ accessToken: p.accessToken, expiresAt: p.expiresAt ?? null });
      finish(true);
    } catch (err) {
      setError(err);
      setPending(false);
    }
  };

  const ready = method === 'passkey' || secret.length > 0;
  return (
    <Modal
      opened={opened}
      onClose={() => finish(false)}
      title="Confirm it’s you"
      centered
      // Above the dialog that asked for the action (Mantine's modals sit at 200), below notifications.
      zIndex={300}
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready && !pending) void submit();
        }}
      >
        <Stack>
          <Text size="sm">
            {method === 'passkey'
              ? 'This action needs a recent sign-in. Confirm with one of your passkeys to continue; what you were doing is then completed.'
              : method === 'totp'
                ? 'This action needs a recent sign-in. Type the code your authenticator app shows to continue; what you were doing is then completed.'
                : 'This action needs a recent sign-in. Enter your password to continue; what you were doing is then completed.'}
          </Text>
          {method === 'password' ? (
            <PasswordInput
              key="password"
              label="Password"
              autoComplete="current-password"
              required
              data-autofocus
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
            />
          ) : method === 'totp' ? (
            <TextInput
              key="totp"
              label="Code from the app"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={8}
              required
              data-autofocus
              autoFocus
              value={secret}
              onChange={(e) => setSecret(e.currentTarget.value)}
            />
          ) : null}
          <FormError error={error} />
          {methods.length > 1 ? (
            <Group gap="md">
              <OtherMethodLinks
                methods={methods}
                current={method}
                labels={switchLabels}
                onChoose={(m) => {
                  setMethod(m);
                  setSecret('');
                  setError(null);
                }}
              />
            </Group>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => finish(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={pending} disabled={!ready}>
              {method === 'passkey' ? 'Continue with a passkey' : 'Confirm'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
