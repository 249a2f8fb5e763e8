import { Text } from '@mantine/core';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { SendPasswordReset } from '../../api/passwords';
import type { UserDetail } from '../../api/users';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useUserAction } from './use-user-action';

const nameOf = (u: { displayName?: string | null; email: string }) => u.displayName || u.email;

/**
 * An administrator (security:manage over the user, `viewerCan.sendPasswordReset`) emails the user a reset
 * link. The administrator never sees the link nor chooses the password.
 */
export function SendPasswordResetModal({ user, onClose }: { user: UserDetail; onClose: () => void }) {
  const send = useUserAction(
    async () =>
      unwrapPayload((await request(SendPasswordReset, { input: { userId: user.id } })).sendPasswordReset),
    `A password reset link is on its way to ${user.email}.`,
    onClose,
  );
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Send ${nameOf(user)} a password reset link`}
      confirmLabel="Send the link"
      onConfirm={() => send.mutate(undefined)}
      pending={send.isPending}
      error={send.error}
    >
      <Text size="sm">
        {user.email} gets an email with a link to choose a new password, valid once for 30 minutes. You do not
        see the link. Their current password keeps working until they use it; when they do, all their sessions
        end.
      </Text>
    </ConfirmModal>
  );
}
