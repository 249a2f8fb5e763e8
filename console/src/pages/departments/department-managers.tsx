import { Anchor, Card, Group, List, MultiSelect, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { request } from '../../api/client';
import {
  ManagerCandidatesQuery,
  SetDepartmentManagers,
  type DepartmentDetail,
} from '../../api/departments-documents';
import { unwrapPayload } from '../../api/errors';
import { StatusBadge } from '../../ui/badges';
import { ConfirmModal } from '../../ui/confirm-modal';
import { ErrorState } from '../../ui/states';
import { EditableCardHeader } from './card-header';
import { useDepartmentChange } from './use-departments';

const personLabel = (u: { displayName: string; email: string }) =>
  u.displayName ? `${u.displayName} (${u.email})` : u.email;

export function ManagersCard({
  department,
  canManage,
  canSeeUsers,
}: {
  department: DepartmentDetail;
  canManage: boolean;
  canSeeUsers: boolean;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="managers-title">
      <EditableCardHeader
        titleId="managers-title"
        title="Managers"
        editLabel="Edit managers"
        canEdit={canManage && !department.archivedAt}
        onEdit={() => setEditing(true)}
      />
      {department.managers.length === 0 ? (
        <Text size="sm" c="dimmed">
          No manager is named. Managers administer the users of this department and its sub-departments.
        </Text>
      ) : (
        <List spacing={6} listStyleType="none" aria-labelledby="managers-title">
          {department.managers.map((m) => (
            <List.Item key={m.id}>
              <Group gap="xs">
                {canSeeUsers ? (
                  <Anchor component={Link} to={`/users/${m.id}`} size="sm" fw={500}>
                    {m.displayName || m.email}
                  </Anchor>
                ) : (
                  <Text size="sm" fw={500}>
                    {m.displayName || m.email}
                  </Text>
                )}
                {m.displayName ? (
                  <Text size="xs" c="dimmed">
                    {m.email}
                  </Text>
                ) : null}
                {m.status !== 'ACTIVE' ? <StatusBadge status={m.status} /> : null}
              </Group>
            </List.Item>
          ))}
        </List>
      )}
      {editing ? <ManagersModal department={department} onClose={() => setEditing(false)} /> : null}
    </Card>
  );
}

/** Name the managers: a picker over the users (active or invited) that searches as you type. */
function ManagersModal({ department, onClose }: { department: DepartmentDetail; onClose: () => void }) {
  const [selected, setSelected] = useState<string[]>(department.managers.map((m) => m.id));
  const [known, setKnown] = useState<Map<string, string>>(
    () => new Map(department.managers.map((m) => [m.id, personLabel(m)])),
  );
  const [search, setSearch] = useState('');
  const [term] = useDebouncedValue(search.trim(), 250);
  const candidates = useQuery({
    queryKey: ['users', 'manager-candidates', term],
    queryFn: async () =>
      (await request(ManagerCandidatesQuery, { search: term || null })).users.nodes.map((u) => ({
        value: u.id,
        label: personLabel(u),
      })),
    placeholderData: keepPreviousData,
  });
  const save = useDepartmentChange(
    async () =>
      unwrapPayload(
        (await request(SetDepartmentManagers, { input: { departmentId: department.id, userIds: selected } }))
          .setDepartmentManagers,
      ),
    `The managers of ${department.name} are saved.`,
    onClose,
  );
  const data = [
    ...selected.map((id) => ({ value: id, label: known.get(id) ?? id })),
    ...(candidates.data ?? []).filter((c) => !selected.includes(c.value)),
  ];
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Managers of ${department.name}`}
      confirmLabel="Save managers"
      onConfirm={() => save.mutate(undefined)}
      pending={save.isPending}
      error={save.error}
    >
      <Text size="sm">
        Managers administer the users of {department.name} and of its sub-departments, with the manager
        permissions below. Only active or invited users can be named.
      </Text>
      <MultiSelect
        label="Managers"
        description="Type a name or an email to find people."
        placeholder={selected.length ? undefined : 'Search people'}
        data={data}
        value={selected}
        onChange={(ids) => {
          setKnown((prev) => {
            const next = new Map(prev);
            for (const c of candidates.data ?? []) next.set(c.value, c.label);
            return next;
          });
          setSelected(ids);
        }}
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        filter={({ options }) => options}
        nothingFoundMessage={candidates.isFetching ? 'Searching…' : 'Nobody found'}
        clearable
        data-autofocus
      />
      {candidates.isError ? (
        <ErrorState error={candidates.error} title="People could not be searched" />
      ) : null}
    </ConfirmModal>
  );
}
