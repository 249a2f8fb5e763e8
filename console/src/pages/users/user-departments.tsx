import { ActionIcon, Button, Group, Radio, Select, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { request } from '../../api/client';
import { useDepartmentOptions } from '../../api/departments';
import { unwrapPayload } from '../../api/errors';
import { SetUserDepartments } from '../../api/user-edits';
import type { UserDetail } from '../../api/users';
import { ConfirmModal } from '../../ui/confirm-modal';
import { ErrorState } from '../../ui/states';
import { TextBadge } from '../../ui/badges';
import { useUserAction } from './use-user-action';

type Memberships = NonNullable<UserDetail['departments']>;

/** The user's departments as badges, with a dialog to change them when `viewerCan.setDepartments`. */
export function UserDepartments({ user, departments }: { user: UserDetail; departments: Memberships }) {
  const [editing, setEditing] = useState(false);
  return (
    <Stack gap={6} align="flex-start">
      {departments.length === 0 ? (
        <Text size="sm">None</Text>
      ) : (
        <Group gap={4}>
          {departments.map((d) => (
            <TextBadge
              key={d.department.id}
              variant={d.isPrimary ? 'light' : 'outline'}
              color="gray"
              tt="none"
            >
              {d.department.name}
              {d.isPrimary ? ' (primary)' : ''}
            </TextBadge>
          ))}
        </Group>
      )}
      {user.viewerCan.setDepartments ? (
        <Button size="xs" variant="default" onClick={() => setEditing(true)}>
          Change departments
        </Button>
      ) : null}
      {editing ? (
        <DepartmentsModal user={user} departments={departments} onClose={() => setEditing(false)} />
      ) : null}
    </Stack>
  );
}

/**
 * Add or remove memberships and choose the primary one; saved as one complete placement, refused as
 * changed by someone else when the placement is no longer the one the dialog opened with.
 */
function DepartmentsModal({
  user,
  departments,
  onClose,
}: {
  user: UserDetail;
  departments: Memberships;
  onClose: () => void;
}) {
  const options = useDepartmentOptions();
  const [ids, setIds] = useState(() => departments.map((d) => d.department.id));
  const [primary, setPrimary] = useState<string | null>(
    () => departments.find((d) => d.isPrimary)?.department.id ?? null,
  );
  const [adding, setAdding] = useState<string | null>(null);
  const name = user.displayName || user.email;
  const label = (id: string) =>
    departments.find((d) => d.department.id === id)?.department.name ??
    options.data?.find((o) => o.value === id)?.label.trim() ??
    id;
  const save = useUserAction(
    async () =>
      unwrapPayload(
        (
          await request(SetUserDepartments, {
            input: {
              userId: user.id,
              primaryDepartmentId: primary,
              secondaryDepartmentIds: ids.filter((id) => id !== primary),
              // What this dialog was opened with: a change made meanwhile is refused, not overwritten.
              expectedPlacement: {
                primaryDepartmentId: departments.find((d) => d.isPrimary)?.department.id ?? null,
                secondaryDepartmentIds: departments.filter((d) => !d.isPrimary).map((d) => d.department.id),
              },
            },
          })
        ).setUserDepartments,
      ),
    `The departments of ${name} are saved.`,
    onClose,
  );
  const remove = (id: string) => {
    const rest = ids.filter((x) => x !== id);
    setIds(rest);
    if (primary === id) setPrimary(rest[0] ?? null);
  };
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Departments of ${name}`}
      confirmLabel="Save departments"
      onConfirm={() => save.mutate(undefined)}
      pending={save.isPending}
      error={save.error}
    >
      <Text size="sm">
        The primary department decides who manages {name} and where their seat is counted; secondary ones add
        what those departments give their members.
      </Text>
      {ids.length === 0 ? (
        <Text size="sm" c="dimmed">
          In no department.
        </Text>
      ) : (
        <Radio.Group value={primary ?? ''} onChange={setPrimary} aria-label="Primary department">
          <Table layout="fixed" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Department</Table.Th>
                <Table.Th w={90}>Primary</Table.Th>
                <Table.Th w={90}>
                  <span className="sr-only">Remove</span>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {ids.map((id) => (
                <Table.Tr key={id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{label(id)}</Table.Td>
                  <Table.Td>
                    <Radio value={id} aria-label={`Make ${label(id)} the primary department`} />
                  </Table.Td>
                  <Table.Td>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${label(id)}`}
                      onClick={() => remove(id)}
                    >
                      ×
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Radio.Group>
      )}
      {options.isError ? <ErrorState error={options.error} title="Departments could not be loaded" /> : null}
      <Group align="flex-end" gap="xs" wrap="nowrap">
        <Select
          label="Add a department"
          placeholder="Choose a department"
          data={(options.data ?? []).filter((o) => !ids.includes(o.value))}
          value={adding}
          onChange={setAdding}
          searchable
          nothingFoundMessage="No such department"
          style={{ flex: 1 }}
        />
        <Button
          variant="default"
          disabled={!adding}
          onClick={() => {
            if (!adding) return;
            setIds((x) => [...x, adding]);
            if (!primary) setPrimary(adding);
            setAdding(null);
          }}
        >
          Add
        </Button>
      </Group>
    </ConfirmModal>
  );
}
