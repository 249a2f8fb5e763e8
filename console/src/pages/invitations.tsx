import { Anchor, Button, Card, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { request } from '../api/client';
import { roleName, useRoles } from '../auth/viewer';
import { graphql } from '../graphql';
import { InvitationBadge } from '../ui/badges';
import { useDates } from '../ui/dates';
import { Page } from '../ui/page';
import { EmptyState, ErrorState, LoadingState } from '../ui/states';
import { ScrollTable } from '../ui/scroll-table';
import { ResendInvitationModal, RevokeInvitationModal, type InvitationTarget } from './users/user-actions';

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
          message
          createdAt
          expiresAt
          acceptedAt
          timeToAcceptSeconds
          user {
            id
            email
            displayName
            viewerCan {
              resendInvitation
              revokeInvitation
            }
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
    // A new filter keeps the rows on screen until the new ones arrive (no flash of a spinner).
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      (await request(InvitationsQuery, { status: filter === 'ALL' ? null : filter, after: pageParam }))
        .invitations,
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  const rows = list.data?.pages.flatMap((p) => p.edges.map((e) => e.node)) ?? [];
  // Resend and revoke act on a person's current invitation: offered on its row while it is open.
  const [dialog, setDialog] = useState<{ kind: 'resend' | 'revoke'; target: InvitationTarget } | null>(null);
  const actionsOf = (i: (typeof rows)[number]) => {
    const open = i.status === 'PENDING' || i.status === 'EXPIRED';
    return {
      resend: open && i.user.viewerCan.resendInvitation,
      revoke: i.status === 'PENDING' && i.user.viewerCan.revokeInvitation,
    };
  };
  const anyActions = rows.some((i) => actionsOf(i).resend || actionsOf(i).revoke);

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
          <EmptyState
            title={filter === 'ALL' ? 'No invitations' : `No ${filter.toLowerCase()} invitations`}
          />
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
                  {anyActions ? <Table.Th scope="col">Actions</Table.Th> : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/users/${i.user.id}`}>
                        {i.user.displayName || i.user.email}
                      </Anchor>
                      {i.user.displayName ? (
                        <Text size="xs" c="dimmed">
                          {i.user.email}
                        </Text>
                      ) : null}
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
                    {anyActions ? (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          {actionsOf(i).resend ? (
                            <Button
                              size="compact-sm"
                              variant="light"
                              aria-label={`Resend the invitation to ${i.user.email}`}
                              onClick={() =>
                                setDialog({
                                  kind: 'resend',
                                  target: { ...i.user, invitation: { message: i.message } },
                                })
                              }
                            >
                              Resend
                            </Button>
                          ) : null}
                          {actionsOf(i).revoke ? (
                            <Button
                              size="compact-sm"
                              variant="light"
                              color="red"
                              aria-label={`Revoke the invitation of ${i.user.email}`}
                              onClick={() => setDialog({ kind: 'revoke', target: i.user })}
                            >
                              Revoke
                            </Button>
                          ) : null}
                        </Group>
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Card>
      {dialog?.kind === 'resend' ? (
        <ResendInvitationModal user={dialog.target} onClose={() => setDialog(null)} />
      ) : null}
      {dialog?.kind === 'revoke' ? (
        <RevokeInvitationModal user={dialog.target} onClose={() => setDialog(null)} />
      ) : null}
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
