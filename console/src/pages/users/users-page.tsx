import { Button, Card, Checkbox, Group, Popover, Select, Stack, Text } from '@mantine/core';
import { IconColumns, IconSend } from '../../ui/icons';
import { UsersPager, type PagePosition } from './users-pager';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { request } from '../../api/client';
import { usePermissions, useRoles } from '../../auth/viewer';
import { graphql } from '../../graphql';
import { useDates } from '../../ui/dates';
import { Page } from '../../ui/page';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { UsersFilters } from './users-filters';
import { UsersTable } from './users-table';
import {
  columnKeys,
  columnLabels,
  filterOf,
  hasFilters,
  pageSizes,
  readView,
  writeView,
  type ColumnKey,
  type UsersView,
} from './users-view';

const UsersList = graphql(`
  query UsersList(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: UserFilter
    $orderBy: UserOrder
    $withDepartments: Boolean!
  ) {
    users(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount {
        value
        exact
      }
      pageInfo {
        endCursor
        hasNextPage
        startCursor
        hasPreviousPage
      }
      nodes {
        id
        email
        displayName
        jobTitle
        role
        status
        lastActiveAt
        createdAt
        departments @include(if: $withDepartments) {
          isPrimary
          department {
            id
            name
          }
        }
      }
    }
  }
`);

/** Which page this is, carried in the history entry (cursors alone do not say). */
interface PagingState {
  position?: PagePosition;
}

export function UsersPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const view = useMemo(() => readView(params), [params]);
  const position = (location.state as PagingState | null)?.position ?? { from: 'start', page: 1 };
  const dates = useDates();
  const roles = useRoles();
  const { can } = usePermissions();

  const go = useCallback(
    (next: UsersView, options: { replace?: boolean; position?: PagePosition } = {}) => {
      const search = writeView(next).toString();
      navigate(
        { pathname: '/users', search: search ? `?${search}` : '' },
        {
          replace: options.replace ?? false,
          state: { position: options.position ?? { from: 'start', page: 1 } } satisfies PagingState,
        },
      );
    },
    [navigate],
  );
  /**
   * Any change of filters, sort or size starts again at the first page. It applies to the view in the
   * address bar now, not the one of this render: a control may call back with a handler from an earlier
   * render (after a debounced search changed the address), which would bring old values back.
   */
  const change = (patch: Partial<UsersView>, options: { replace?: boolean } = {}) =>
    go(
      { ...readView(new URLSearchParams(window.location.search)), ...patch, after: null, before: null },
      options,
    );

  const backward = view.before !== null;
  const variables = {
    first: backward ? null : view.pageSize,
    after: view.after,
    last: backward ? view.pageSize : null,
    before: view.before || null,
    filter: filterOf(view, dates.timeZone),
    orderBy: { field: view.sort, direction: view.direction },
    withDepartments: view.columns.includes('departments'),
  };
  const users = useQuery({
    queryKey: ['users', 'list', variables],
    queryFn: async () => (await request(UsersList, variables)).users,
    placeholderData: keepPreviousData,
  });

  const count = users.data?.totalCount;
  // Past 1,000 matches the count is the database planner's estimate (free at any size; an exact count
  // of a million users costs over 100 ms per page), shown as such.
  const countText = count
    ? `${count.exact ? '' : 'About '}${count.value.toLocaleString()} ${count.value === 1 ? 'user' : 'users'}${count.exact ? '' : ' (estimate)'}`
    : '';

  return (
    <Page
      title="Users"
      description="Everyone in the organisation. Filters, sort and columns are kept in the address: share it to share the view."
      actions={
        can('users:invite') ? (
          <Button component={Link} to="/invite" leftSection={<IconSend size={16} aria-hidden />}>
            Invite people
          </Button>
        ) : null
      }
    >
      <UsersFilters view={view} onChange={change} />
      <Group justify="space-between" wrap="wrap">
        <Text fw={500} aria-live="polite" data-testid="users-count">
          {users.isFetching && !users.data ? 'Counting…' : countText}
        </Text>
        <Group gap="sm">
          <ColumnsChooser
            columns={view.columns}
            onChange={(columns) =>
              go({ ...readView(new URLSearchParams(window.location.search)), columns }, { position })
            }
          />
          <Select
            label="Rows per page"
            w={130}
            size="xs"
            data={pageSizes.map(String)}
            value={String(view.pageSize)}
            onChange={(v) => change({ pageSize: Number(v) })}
            allowDeselect={false}
          />
        </Group>
      </Group>
      <Card withBorder padding={0} aria-busy={users.isFetching}>
        {users.isPending ? (
          <LoadingState label="Loading users…" />
        ) : users.isError ? (
          <ErrorState error={users.error} onRetry={() => void users.refetch()} />
        ) : users.data.nodes.length === 0 ? (
          <EmptyState title="No users match">
            {hasFilters(view)
              ? 'Change or clear the filters to see more people.'
              : 'Invite someone to get started.'}
          </EmptyState>
        ) : (
          <UsersTable
            users={users.data.nodes}
            view={view}
            roles={roles.data}
            dates={dates}
            onSort={(sort) => {
              const now = readView(new URLSearchParams(window.location.search));
              change({ sort, direction: now.sort === sort && now.direction === 'ASC' ? 'DESC' : 'ASC' });
            }}
          />
        )}
      </Card>
      <UsersPager
        position={position}
        pageInfo={users.data?.pageInfo}
        onGo={(cursors, next) => go({ ...view, ...cursors }, { position: next })}
      />
    </Page>
  );
}

function ColumnsChooser({ columns, onChange }: { columns: ColumnKey[]; onChange: (c: ColumnKey[]) => void }) {
  return (
    <Popover position="bottom-end" withinPortal trapFocus>
      <Popover.Target>
        <Button variant="default" size="xs" mt={20} leftSection={<IconColumns size={14} aria-hidden />}>
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Checkbox.Group
          label="Visible columns"
          value={columns}
          onChange={(v) => onChange(columnKeys.filter((k) => v.includes(k)))}
        >
          <Stack gap={6} mt="xs">
            {columnKeys.map((k) => (
              <Checkbox key={k} value={k} label={columnLabels[k]} />
            ))}
          </Stack>
        </Checkbox.Group>
      </Popover.Dropdown>
    </Popover>
  );
}
