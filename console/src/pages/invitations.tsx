import { Anchor, Button, Card, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { request } from '../api/client';
import { roleName, useRoles } from '../auth/viewer';
import { graphql } from '../graphql';
import { InvitationBadge } from '../ui/badges';
import { useDates } from '../ui/dates';
import { Page } from '../ui/page';
import { EmptyState, ErrorState, LoadingState } from '../ui/states';
import { ScrollTable } from '../ui/scroll-table';

const InvitationsQuery = graphql(`
  query Invitations($status: InvitationStatus, $after: String) {
    invitations(first: 50, status: $status, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          status
          role
          createdAt
          expiresAt
          acceptedAt
          timeToAcceptSeconds
          user {
            id
            email
            displayName
          }
          invitedBy {
            id
            displayName
            email
          }
        }
      }
    }
  }
`);

const statuses = ['ALL', 'PENDING', 'EXPIRED', 'ACCEPTED', 'REVOKED'] as const;
type Filter = (typeof statuses)[number];

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export function InvitationsPage() {
  const [params, setParams] = useSearchParams();
  const filter = (statuses as readonly string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as Filter)
    : 'ALL';
  const dates = useDates();
  const roles = useRoles();
  const list = useInfiniteQuery({
    queryKey: ['invitations', filter],
    queryFn: async ({ pageParam }) =>
      (await request(InvitationsQuery, { status: filter === 'ALL' ? null : filter, after: pageParam }))
        .invitations,
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  const rows = list.data?.pages.flatMap((p) => p.edges.map((e) => e.node)) ?? [];

  return (
    <Page title="Invitations" description="Who was invited, by whom, and how long they took to accept.">
      <SegmentedControl
        aria-label="Invitation status"
        data={statuses.map((s) => ({
          value: s,
          label: s === 'ALL' ? 'All' : s[0] + s.slice(1).toLowerCase(),
        }))}
        value={filter}
        onChange={(v) => setParams(v === 'ALL' ? {} : { status: v })}
        w="fit-content"
      />
      <Card withBorder padding={0}>
        {list.isPending ? (
          <LoadingState />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title="No invitations" />
        ) : (
          <ScrollTable minWidth={760} label="Invitations">
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Person</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Sent</Table.Th>
                  <Table.Th scope="col">Expires</Table.Th>
                  <Table.Th scope="col">Time to accept</Table.Th>
                  <Table.Th scope="col">Invited by</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/users/${i.user.id}`}>
                        {i.user.displayName || i.user.email}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{roleName(roles.data, i.role)}</Table.Td>
                    <Table.Td>
                      <InvitationBadge status={i.status} />
                    </Table.Td>
                    <Table.Td>{dates.dateTime(i.createdAt)}</Table.Td>
                    <Table.Td>{dates.dateTime(i.expiresAt)}</Table.Td>
                    <Table.Td>{duration(i.timeToAcceptSeconds ?? null)}</Table.Td>
                    <Table.Td>
                      {i.invitedBy ? i.invitedBy.displayName || i.invitedBy.email : 'System'}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Card>
      {list.hasNextPage ? (
        <Group>
          <Button
            variant="default"
            loading={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      ) : rows.length > 0 ? (
        <Stack>
          <Text size="sm" c="dimmed">
            All {rows.length} shown.
          </Text>
        </Stack>
      ) : null}
    </Page>
  );
}
