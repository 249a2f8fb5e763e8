import { Anchor, Group, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { IconArrowDown, IconArrowUp, IconArrowsSort } from '../../ui/icons';
import { Link } from 'react-router';
import { roleName, type RoleInfo } from '../../auth/viewer';
import { StatusBadge, TextBadge } from '../../ui/badges';
import type { DateFormat } from '../../ui/dates';
import { columnLabels, type ColumnKey, type SortField, type UsersView } from './users-view';
import { ScrollTable } from '../../ui/scroll-table';

export interface UserListRow {
  id: string;
  email: string;
  displayName: string;
  jobTitle: string | null;
  role: string;
  status: string;
  lastActiveAt: string | null;
  createdAt: string;
  departments?: { isPrimary: boolean; department: { id: string; name: string } }[] | null;
}

const sortable: Partial<Record<ColumnKey | 'name', SortField>> = {
  name: 'NAME',
  email: 'EMAIL',
  lastActive: 'LAST_ACTIVE_AT',
  created: 'CREATED_AT',
};

function SortHeader({
  column,
  label,
  view,
  onSort,
}: {
  column: ColumnKey | 'name';
  label: string;
  view: UsersView;
  onSort: (field: SortField) => void;
}) {
  const field = sortable[column];
  if (!field) return <Table.Th scope="col">{label}</Table.Th>;
  const active = view.sort === field;
  const Icon = !active ? IconArrowsSort : view.direction === 'ASC' ? IconArrowUp : IconArrowDown;
  return (
    <Table.Th
      scope="col"
      aria-sort={active ? (view.direction === 'ASC' ? 'ascending' : 'descending') : 'none'}
    >
      <UnstyledButton onClick={() => onSort(field)}>
        <Group gap={4} wrap="nowrap">
          <Text fw={700} size="sm">
            {label}
          </Text>
          <Icon size={14} aria-hidden />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

function cell(column: ColumnKey, u: UserListRow, roles: readonly RoleInfo[] | undefined, dates: DateFormat) {
  switch (column) {
    case 'email':
      return <span style={{ overflowWrap: 'anywhere' }}>{u.email}</span>;
    case 'status':
      return <StatusBadge status={u.status} />;
    case 'role':
      return roleName(roles, u.role);
    case 'departments':
      return u.departments?.length ? (
        <Group gap={4}>
          {u.departments.map((d) => (
            <TextBadge
              key={d.department.id}
              variant={d.isPrimary ? 'light' : 'outline'}
              color="gray"
              tt="none"
            >
              {d.department.name}
            </TextBadge>
          ))}
        </Group>
      ) : (
        '—'
      );
    case 'jobTitle':
      return u.jobTitle ?? '—';
    case 'lastActive':
      return u.lastActiveAt ? (
        <span title={dates.dateTime(u.lastActiveAt)}>{dates.relative(u.lastActiveAt)}</span>
      ) : (
        'Never'
      );
    case 'created':
      return dates.date(u.createdAt);
  }
}

/**
 * One page of users. Each row is keyed by id and starts with the name cell, so a selection column for
 * bulk actions can be added in front later.
 */
export function UsersTable({
  users,
  view,
  roles,
  dates,
  onSort,
}: {
  users: UserListRow[];
  view: UsersView;
  roles: readonly RoleInfo[] | undefined;
  dates: DateFormat;
  /** Sort by this field; again to reverse. */
  onSort: (field: SortField) => void;
}) {
  return (
    <ScrollTable minWidth={640} label="Users">
      <Table highlightOnHover striped stickyHeader>
        <Table.Thead>
          <Table.Tr>
            <SortHeader column="name" label="Name" view={view} onSort={onSort} />
            {view.columns.map((c) => (
              <SortHeader key={c} column={c} label={columnLabels[c]} view={view} onSort={onSort} />
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((u) => (
            <Table.Tr key={u.id}>
              <Table.Td>
                {/* A long email may break anywhere, so the column can narrow instead of pushing the table wide. */}
                <Stack gap={0} style={{ overflowWrap: 'anywhere' }} miw={160}>
                  <Anchor component={Link} to={`/users/${u.id}`} fw={500}>
                    {u.displayName || u.email}
                  </Anchor>
                  {!view.columns.includes('email') && u.displayName ? (
                    <Text size="xs" c="dimmed">
                      {u.email}
                    </Text>
                  ) : null}
                </Stack>
              </Table.Td>
              {view.columns.map((c) => (
                <Table.Td key={c}>{cell(c, u, roles, dates)}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
