import { Anchor, Button, Card, Group, SegmentedControl, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { request } from '../../api/client';
import { DepartmentMembersQuery } from '../../api/departments-documents';
import { useRoles } from '../../auth/viewer';
import { useDates } from '../../ui/dates';
import { IconChevronLeft, IconChevronRight } from '../../ui/icons';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { UsersTable } from '../users/users-table';
import { readView, type SortField, type UsersView } from '../users/users-view';
import { AddMembersModal } from './add-members';

const pageSize = 25;

/** The users of a department, its own or its whole subtree's, in the users table (paged on the server). */
export function DepartmentMembers({
  departmentId,
  name,
  canAdd = false,
}: {
  departmentId: string;
  name: string;
  /** `Department.viewerCan.placeMembers` on a live department: offer "Add members". */
  canAdd?: boolean;
}) {
  const [adding, setAdding] = useState(false);
  const roles = useRoles();
  const dates = useDates();
  const [subtree, setSubtree] = useState(false);
  const [sort, setSort] = useState<{ field: SortField; direction: 'ASC' | 'DESC' }>({
    field: 'NAME',
    direction: 'ASC',
  });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const variables = {
    first: pageSize,
    after,
    filter: { departmentId, includeSubtree: subtree },
    orderBy: { field: sort.field, direction: sort.direction },
  };
  const members = useQuery({
    queryKey: ['users', 'department', variables],
    queryFn: async () => (await request(DepartmentMembersQuery, variables)).users,
    placeholderData: keepPreviousData,
  });
  const view: UsersView = {
    ...readView(new URLSearchParams()),
    // The name cell shows the email below the name when the email column is left out.
    columns: ['status', 'role', 'departments'],
    sort: sort.field,
    direction: sort.direction,
  };
  const count = members.data?.totalCount;
  const restart = () => setCursors([null]);

  return (
    <Card withBorder padding={0} component="section" aria-labelledby="members-title">
      <Group justify="space-between" p="lg" pb="sm" wrap="wrap">
        <Group gap="sm">
          <Title order={2} size="h4" id="members-title">
            Members
          </Title>
          {canAdd ? (
            <Button size="xs" variant="light" onClick={() => setAdding(true)}>
              Add members
            </Button>
          ) : null}
        </Group>
        <SegmentedControl
          aria-label="Members shown"
          size="xs"
          data={[
            { value: 'direct', label: 'This department' },
            { value: 'subtree', label: 'With sub-departments' },
          ]}
          value={subtree ? 'subtree' : 'direct'}
          onChange={(v) => {
            setSubtree(v === 'subtree');
            restart();
          }}
        />
      </Group>
      <Group justify="space-between" px="lg" pb="sm">
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="members-count">
          {count
            ? `${count.exact ? '' : 'About '}${count.value.toLocaleString()} ${count.value === 1 ? 'member' : 'members'}`
            : ''}
        </Text>
        <Anchor component={Link} to={`/users?dept=${departmentId}${subtree ? '&subtree=1' : ''}`} size="sm">
          Open in the users list
        </Anchor>
      </Group>
      <div aria-busy={members.isFetching}>
        {members.isPending ? (
          <LoadingState label="Loading the members…" />
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : members.data.nodes.length === 0 ? (
          <EmptyState title={`Nobody in ${name}${subtree ? ' or its sub-departments' : ''}`} />
        ) : (
          <UsersTable
            users={members.data.nodes}
            view={view}
            roles={roles.data}
            dates={dates}
            onSort={(field) => {
              setSort((s) => ({
                field,
                direction: s.field === field && s.direction === 'ASC' ? 'DESC' : 'ASC',
              }));
              restart();
            }}
          />
        )}
      </div>
      {cursors.length > 1 || members.data?.pageInfo.hasNextPage ? (
        <Group justify="flex-end" gap="xs" p="md">
          <Button
            variant="default"
            size="xs"
            leftSection={<IconChevronLeft size={14} aria-hidden />}
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous page
          </Button>
          <Button
            variant="default"
            size="xs"
            rightSection={<IconChevronRight size={14} aria-hidden />}
            disabled={!members.data?.pageInfo.hasNextPage}
            onClick={() => setCursors((c) => [...c, members.data?.pageInfo.endCursor ?? null])}
          >
            Next page
          </Button>
        </Group>
      ) : null}
      {adding ? (
        <AddMembersModal departmentId={departmentId} name={name} onClose={() => setAdding(false)} />
      ) : null}
    </Card>
  );
}
