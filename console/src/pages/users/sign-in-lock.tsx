import { Alert, Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { UnlockUser } from '../../api/user-edits';
import type { UserDetail } from '../../api/users';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { useUserAction } from './use-user-action';

/**
 * A locked-out account: why (how many failed sign-ins in a row, and whether it waits or stays locked until
 * an administrator lifts it) and since when; with Unlock when the API says the viewer may (`viewerCan.unlock`).
 * Nothing is shown while the account is not locked, or to a viewer who may not see lockouts (null).
 */
export function SignInLockNotice({ user }: { user: UserDetail }) {
  const dates = useDates();
  const [confirming, setConfirming] = useState(false);
  const lock = user.signInLock;
  const name = user.displayName || user.email;
  const unlock = useUserAction(
    async () => unwrapPayload((await request(UnlockUser, { input: { userId: user.id } })).unlockUser),
    `${name} can sign in again.`,
    () => setConfirming(false),
  );
  if (!lock?.locked) return null;
  const since = lock.lastFailureAt ? dates.dateTime(lock.lastFailureAt) : null;
  return (
    <Alert color="red" variant="light" title="Sign-in locked">
      <Stack gap="xs" align="flex-start">
        <Text size="sm" data-testid="sign-in-lock">
          {lock.failedAttempts} failed sign-in{lock.failedAttempts === 1 ? '' : 's'} in a row
          {since ? `, the last ${since}` : ''}.{' '}
          {lock.untilUnlocked
            ? 'The account stays locked until an administrator unlocks it.'
            : `Locked until ${dates.dateTime(lock.lockedUntil)}.`}
        </Text>
        {user.viewerCan.unlock ? (
          <Button size="xs" color="red" onClick={() => setConfirming(true)}>
            Unlock
          </Button>
        ) : null}
      </Stack>
      {confirming ? (
        <ConfirmModal
          opened
          onClose={() => setConfirming(false)}
          title={`Unlock ${name}`}
          confirmLabel="Unlock"
          onConfirm={() => unlock.mutate(undefined)}
          pending={unlock.isPending}
          error={unlock.error}
        >
          <Text size="sm">
            The lockout ends and the count of failed sign-ins starts again. Do this once you know the failures
            were theirs (a forgotten password), not someone guessing it.
          </Text>
        </ConfirmModal>
      ) : null}
    </Alert>
  );
}
