import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { request } from '../api/client';
import { ApiError } from '../api/errors';
import { session } from '../api/session';
import { Reauthenticate } from '../api/step-up';
import { FormError } from '../ui/states';
import { setReauthenticationPrompt } from './step-up';

/**
 * The one re-authentication dialog of the console (auth/step-up.ts): asks for the password when an action
 * needs a recent authentication, calls `reauthenticate`, keeps the new access token, and lets the waiting
 * request retry. Cancel (or Escape) gives the request its original answer. A wrong password stays in the
 * dialog with the API's message (it counts toward the sign-in lockout, as on the sign-in page). It opens
 * over whatever dialog asked for the action, so focus goes back there when it closes (Mantine's own
 * return, not ui/focus-return.ts, which would send it to the page behind the still-open dialog).
 */
export function StepUpDialog() {
  const [opened, setOpened] = useState(false);
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);

  useEffect(
    () =>
      setReauthenticationPrompt(
        () =>
          new Promise<boolean>((resolve) => {
            resolver.current = resolve;
            setPassword('');
            setError(null);
            setOpened(true);
          }),
      ),
    [],
  );

  const finish = (ok: boolean) => {
    setOpened(false);
    setPassword('');
    setPending(false);
    const resolve = resolver.current;
    resolver.current = null;
    resolve?.(ok);
  };

  const submit = async () => {
    setPending(true);
    setError(null);
    try {
      const r = await request(Reauthenticate, { input: { password } });
      const p = r.reauthenticate;
      if (p.userErrors.length > 0 || !p.accessToken) {
        setError(
          new ApiError(
            p.userErrors.length > 0 ? [...p.userErrors] : [{ code: 'UNKNOWN', message: 'No answer.' }],
          ),
        );
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
          if (password && !pending) void submit();
        }}
      >
        <Stack>
          <Text size="sm">
            This action needs a recent sign-in. Enter your password to continue; what you were doing is then
            completed.
          </Text>
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            data-autofocus
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <FormError error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => finish(false)}>
              Cancel
            </Button>
            <Button type="submit" loading={pending} disabled={!password}>
              Confirm
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
