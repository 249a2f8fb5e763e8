import { Badge, Button, Card, Chip, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../api/client';
import { unwrapPayload } from '../api/errors';
import { UserErrorFields } from '../api/user-errors';
import { usePermissions } from '../auth/viewer';
import { graphql, type ResultOf } from '../graphql';
import { useDates } from '../ui/dates';
import { LoadMore } from '../ui/load-more';
import { NoAccess } from '../ui/no-access';
import { notifyDone } from '../ui/notify';
import { Page } from '../ui/page';
import { ScrollTable } from '../ui/scroll-table';
import { EmptyState, ErrorState, FormError, LoadingState } from '../ui/states';

const OutboxMessagesQuery = graphql(`
  query OutboxMessages($status: [OutboxStatus!], $after: String) {
    outboxMessages(first: 50, status: $status, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          kind
          recipientEmail
          subject
          status
          attempts
          lastError
          nextAttemptAt
          sentAt
          createdAt
        }
      }
    }
  }
`);

const RetryOutboxMessage = graphql(
  `
    mutation RetryOutboxMessage($input: RetryOutboxMessageInput!) {
      retryOutboxMessage(input: $input) {
        message {
          id
          status
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

type OutboxMessage = ResultOf<typeof OutboxMessagesQuery>['outboxMessages']['edges'][number]['node'];
type OutboxStatus = OutboxMessage['status'];

const statuses: { value: OutboxStatus; label: string; color: string }[] = [
  { value: 'QUEUED', label: 'Queued', color: 'blue' },
  { value: 'SENDING', label: 'Sending', color: 'blue' },
  { value: 'SENT', label: 'Sent', color: 'teal' },
  { value: 'FAILED', label: 'Failed, will retry', color: 'orange' },
  { value: 'DEAD', label: 'Given up', color: 'red' },
];
const statusOf = (s: OutboxStatus) => statuses.find((x) => x.value === s)!;

/** The organisation's outgoing email for operators: where each message is, why it failed, and a retry. */
export function OutboxPage() {
  const { can, ready } = usePermissions();
  if (!ready) return <LoadingState />;
  if (!can('security:manage')) return <NoAccess />;
  return <Outbox />;
}

function Outbox() {
  const dates = useDates();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<OutboxStatus[]>([]);
  const messages = useInfiniteQuery({
    queryKey: ['outbox', shown],
    queryFn: async ({ pageParam }) =>
      (await request(OutboxMessagesQuery, { status: shown.length ? shown : null, after: pageParam }))
        .outboxMessages,
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
    placeholderData: (previous) => previous,
  });
  const retry = useMutation({
    mutationFn: async (m: OutboxMessage) =>
      unwrapPayload((await request(RetryOutboxMessage, { input: { id: m.id } })).retryOutboxMessage),
    onSuccess: async (_p, m) => {
      await queryClient.invalidateQueries({ queryKey: ['outbox'] });
      notifyDone(`The email to ${m.recipientEmail} is queued again.`);
    },
  });
  const rows = messages.data?.pages.flatMap((p) => p.edges.map((e) => e.node)) ?? [];

  return (
    <Page
      title="Email outbox"
      description="Every email Roster sends, newest first: queued in the change that caused it, then delivered with retries (8 tries at most)."
    >
      <Card withBorder padding="md" component="section" aria-label="Filters">
        <Chip.Group multiple value={shown} onChange={(v) => setShown(v as OutboxStatus[])}>
          <Group gap="xs" role="group" aria-label="Show only these states">
            {statuses.map((s) => (
              <Chip key={s.value} value={s.value} variant="outline">
                {s.label}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
      </Card>
      <FormError error={retry.error} />
      <Card withBorder padding={0}>
        {messages.isPending ? (
          <LoadingState />
        ) : messages.isError && !messages.data ? (
          <ErrorState error={messages.error} onRetry={() => void messages.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title="No email matches" />
        ) : (
          <ScrollTable minWidth={900} label="Outgoing email">
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Queued</Table.Th>
                  <Table.Th scope="col">To</Table.Th>
                  <Table.Th scope="col">Subject</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col">Tries</Table.Th>
                  <Table.Th scope="col">Last error</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((m) => {
                  const s = statusOf(m.status);
                  return (
                    <Table.Tr key={m.id}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{dates.dateTime(m.createdAt)}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{m.recipientEmail}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{m.subject}</Table.Td>
                      <Table.Td>
                        <Stack gap={2}>
                          <Badge color={s.color} variant="light" miw="max-content">
                            {s.label}
                          </Badge>
                          {m.status === 'SENT' && m.sentAt ? (
                            <Text size="xs" c="dimmed">
                              {dates.dateTime(m.sentAt)}
                            </Text>
                          ) : m.status === 'FAILED' || m.status === 'QUEUED' ? (
                            <Text size="xs" c="dimmed">
                              Next try {dates.dateTime(m.nextAttemptAt)}
                            </Text>
                          ) : null}
                        </Stack>
                      </Table.Td>
                      <Table.Td>{m.attempts}</Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>
                        {m.lastError ? (
                          <Text size="sm" ff="monospace">
                            {m.lastError}
                          </Text>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                      <Table.Td>
                        {m.status === 'FAILED' || m.status === 'DEAD' ? (
                          <Button
                            size="xs"
                            variant="default"
                            loading={retry.isPending && retry.variables?.id === m.id}
                            onClick={() => retry.mutate(m)}
                            aria-label={`Retry now: the email to ${m.recipientEmail}, ${m.subject}`}
                          >
                            Retry now
                          </Button>
                        ) : null}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Card>
      {rows.length > 0 ? (
        <LoadMore
          testId="outbox-more"
          hasMore={messages.hasNextPage}
          loading={messages.isFetchingNextPage}
          error={messages.isFetchNextPageError ? messages.error : null}
          onLoad={() => void messages.fetchNextPage()}
          label="Load older email"
          endLabel={`All ${rows.length} matching ${rows.length === 1 ? 'email is' : 'emails are'} shown.`}
        />
      ) : null}
    </Page>
  );
}
