import { Badge, Card, Checkbox, Group, List, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { useState } from 'react';
import { request } from '../../api/client';
import { UpdateDepartment, type DepartmentDetail } from '../../api/departments-documents';
import {
  addedPermissionChoices,
  managerPermissionChoices,
  permissionInputName,
} from '../../api/departments-permissions';
import { unwrapPayload } from '../../api/errors';
import { useRoles } from '../../auth/viewer';
import { ConfirmModal } from '../../ui/confirm-modal';
import { EditableCardHeader } from './card-header';
import { useDepartmentChange } from './use-departments';

type PermissionInfo = { name: string; description: string };

function PermissionList({ items, empty, label }: { items: PermissionInfo[]; empty: string; label: string }) {
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {empty}
      </Text>
    );
  }
  return (
    <List spacing={2} size="sm" aria-label={label}>
      {items.map((p) => (
        <List.Item key={p.name}>
          {p.description}{' '}
          <Text span size="xs" c="dimmed">
            ({p.name})
          </Text>
        </List.Item>
      ))}
    </List>
  );
}

/** What the department gives: platform permissions to its members, administration to its managers. */
export function DepartmentPermissionsCard({
  department,
  canManage,
}: {
  department: DepartmentDetail;
  canManage: boolean;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="department-permissions-title">
      <EditableCardHeader
        titleId="department-permissions-title"
        title="Permissions"
        editLabel="Edit permissions"
        canEdit={canManage && !department.archivedAt}
        onEdit={() => setEditing(true)}
      />
      <Stack gap="md">
        <div>
          <Text size="sm" fw={600}>
            Added for its members
          </Text>
          <Text size="xs" c="dimmed" mb={4}>
            Held by everyone in this department and its sub-departments, whatever their role.
          </Text>
          <PermissionList
            items={department.addedPermissions}
            empty="None: members hold what their role grants."
            label="Permissions added for members"
          />
        </div>
        <div>
          <Group gap="xs">
            <Text size="sm" fw={600}>
              For its managers
            </Text>
            {department.managerPermissionsAreDefault ? (
              <Badge size="xs" variant="light" color="gray" tt="none">
                Default set
              </Badge>
            ) : null}
          </Group>
          <Text size="xs" c="dimmed" mb={4}>
            What its managers may do to the users of this department and its sub-departments.
          </Text>
          <PermissionList
            items={department.managerPermissions}
            empty="None: its managers administer nothing."
            label="Manager permissions"
          />
        </div>
      </Stack>
      {editing ? <PermissionsModal department={department} onClose={() => setEditing(false)} /> : null}
    </Card>
  );
}

function PermissionsModal({ department, onClose }: { department: DepartmentDetail; onClose: () => void }) {
  const roles = useRoles();
  const describe = new Map<string, string>();
  for (const r of roles.data ?? []) for (const p of r.permissions) describe.set(p.name, p.description);
  for (const p of [...department.addedPermissions, ...department.managerPermissions]) {
    describe.set(p.name, p.description);
  }
  const [added, setAdded] = useState(department.addedPermissions.map((p) => p.name));
  const [useDefault, setUseDefault] = useState(department.managerPermissionsAreDefault);
  const [manager, setManager] = useState(department.managerPermissions.map((p) => p.name));
  const save = useDepartmentChange(
    async () =>
      unwrapPayload(
        (
          await request(UpdateDepartment, {
            input: {
              departmentId: department.id,
              expectedVersion: department.version,
              addedPermissions: added.map(permissionInputName),
              managerPermissions: useDefault ? null : manager.map(permissionInputName),
            },
          })
        ).updateDepartment,
      ),
    `The permissions of ${department.name} are saved.`,
    onClose,
  );
  const option = (name: string) => (
    <Checkbox key={name} value={name} label={describe.get(name) ?? name} description={name} />
  );
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Permissions of ${department.name}`}
      confirmLabel="Save permissions"
      onConfirm={() => save.mutate(undefined)}
      pending={save.isPending}
      error={save.error}
    >
      <Text size="sm">
        You can add or remove only permissions you hold yourself for the whole organisation; the server
        refuses the others.
      </Text>
      <Checkbox.Group
        label="Added for its members"
        description="Platform permissions held by everyone in the department and its sub-departments."
        value={added}
        onChange={setAdded}
      >
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
          {addedPermissionChoices.map(option)}
        </SimpleGrid>
      </Checkbox.Group>
      <Switch
        label="Managers get the default set"
        description="View, invite, suspend and reactivate, change roles within the roles they may grant."
        checked={useDefault}
        onChange={(e) => setUseDefault(e.currentTarget.checked)}
      />
      {useDefault ? null : (
        <Checkbox.Group
          label="For its managers"
          description="User administration over the department’s subtree."
          value={manager}
          onChange={setManager}
        >
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
            {managerPermissionChoices.map(option)}
          </SimpleGrid>
        </Checkbox.Group>
      )}
    </ConfirmModal>
  );
}
