import { Badge, Select, Text } from '@mantine/core';
import { useState } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { ChangeUserRole, type UserDetail } from '../../api/users';
import { roleName, useRoles } from '../../auth/viewer';
import { ConfirmModal } from '../../ui/confirm-modal';
import { RoleChangePreviewDiff, useRoleChangePreview } from '../roles/role-change-preview';
import type { RoleKey } from './users-view';
import { useUserAction } from './use-user-action';

/**
 * Choose a role, see exactly what the person gains (green) and loses (red) — their effective permissions,
 * with where each comes from (role, department, manager) — then confirm.
 */
export function ChangeRoleModal({
  user,
  opened,
  onClose,
}: {
  user: UserDetail;
  opened: boolean;
  onClose: () => void;
}) {
  const roles = useRoles();
  const [to, setTo] = useState<RoleKey | null>(null);
  const close = () => {
    setTo(null);
    onClose();
  };
  const diff = useRoleChangePreview(user.id, to, opened);
  const change = useUserAction(
    async () =>
      unwrapPayload(
        (
          await request(ChangeUserRole, {
            input: { userId: user.id, role: to!, expectedVersion: user.version },
          })
        ).changeUserRole,
      ),
    'The role is changed.',
    close,
  );
  const options = (roles.data ?? [])
    .filter((r) => r.viewerCanGrant && r.key !== user.role)
    .map((r) => ({ value: r.key, label: r.name }));

  return (
    <ConfirmModal
      opened={opened}
      onClose={close}
      title={`Change the role of ${user.displayName || user.email}`}
      confirmLabel="Change role"
      onConfirm={() => change.mutate(undefined)}
      pending={change.isPending}
      error={change.error}
      confirmDisabled={!to || !diff.data?.viewerMayChange}
    >
      <Text size="sm">
        Current role: <Badge variant="light">{roleName(roles.data, user.role)}</Badge>
      </Text>
      <Select
        label="New role"
        placeholder={options.length ? 'Choose a role' : 'No role you may grant'}
        data={options}
        value={to}
        onChange={(v) => setTo(v as RoleKey | null)}
        data-autofocus
      />
      {to === null ? null : <RoleChangePreviewDiff userId={user.id} role={to} />}
    </ConfirmModal>
  );
}
