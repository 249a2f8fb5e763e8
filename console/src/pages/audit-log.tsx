import { Anchor, Button, Card, Code, Drawer, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { request } from '../api/client';
import { downloadFile } from '../api/download';
import { usePermissions } from '../auth/viewer';
import { AuditChainStatusLine } from './audit-chain-status';
import { graphql, type ResultOf } from '../graphql';
import { describeAction } from '../ui/audit-actions';
import { useDates } from '../ui/dates';
import { Page } from '../ui/page';
import { EmptyState, ErrorState, FormError, LoadingState } from '../ui/states';
import { zonedToInstant } from '../ui/time-zone';
import { LoadMore } from '../ui/load-more';
import { ScrollTable } from '../ui/scroll-table';

const AuditEventsQuery = graphql(`
  query AuditEvents($filter: AuditEventFilter, $after: String) {
    auditEvents(first: 50, filter: $filter, after: $after) {
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        node {
          id
          seq
          action
          occurredAt
          actorType
          reason
          ip
          requestId
          changes
          targetType
          targetId
          actor {
            id
            displayName
            email
          }
          targetUser {
            id
            displayName
            email
          }
        }
      }
    }
  }
`);

type AuditEvent = ResultOf<typeof AuditEventsQuery>['auditEvents']['edges'][number]['node'];

export function AuditLogPage() {
  const dates = useDates();
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [debouncedAction] = useDebouncedValue(action.trim(), 300);
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const dayAfter = (d: string) => {
    const t = new Date(`${d}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() + 1);
    return t.toISOString().slice(0, 10);
  };
  const filter = {
    action: debouncedAction || null,
    occurredAfter: from ? (zonedToInstant(from, dates.timeZone)?.toISOString() ?? null) : null,
    occurredBefore: until ? (zonedToInstant(dayAfter(until), dates.timeZone)?.toISOString() ?? null) : null,
  };
  const events = useInfiniteQuery({
    queryKey: ['audit', 'log', filter],
    // A new filter keeps the rows on screen until the new ones arrive (no flash of a spinner).
    placeholderData: keepPreviousData,
    queryFn: async ({ pageParam }) =>
      (await request(AuditEventsQuery, { filter, after: pageParam })).auditEvents,
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (last.pageInfo.hasNextPage ? last.pageInfo.endCursor : null),
  });
  const rows = events.data?.pages.flatMap((p) => p.edges.map((e) => e.node)) ?? [];
  const { can } = usePermissions();
  const exportAs = useMutation({
    mutationFn: (format: 'csv' | 'jsonl') => {
      const q = new URLSearchParams({ format });
      if (filter.action) q.set('action', filter.action);
      if (filter.occurredAfter) q.set('after', filter.occurredAfter);
      if (filter.occurredBefore) q.set('before', filter.occurredBefore);
      return downloadFile(`/api/audit/export?${q}`, `audit.${format}`);
    },
  });
  const who = (u: { displayName: string; email: string } | null | undefined) =>
    u ? u.displayName || u.email : null;

  return (
    <Page
      title="Audit log"
      description="Every decision, newest first. The trail is append-only and hash-chained."
      actions={
        can('audit:export') ? (
          <>
            <Button
              variant="default"
              loading={exportAs.isPending && exportAs.variables === 'csv'}
              onClick={() => exportAs.mutate('csv')}
            >
              Export CSV
            </Button>
            <Button
              variant="default"
              loading={exportAs.isPending && exportAs.variables === 'jsonl'}
              onClick={() => exportAs.mutate('jsonl')}
            >
              Export JSON Lines
            </Button>
          </>
        ) : null
      }
    >
      <FormError error={exportAs.error} />
      {can('audit:verify') ? <AuditChainStatusLine /> : null}
      <Card withBorder padding="md" component="section" aria-label="Filters">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput
            label="Action"
            description="An action such as user.suspended, or a prefix ending in a dot (user.)."
            value={action}
            onChange={(e) => setAction(e.currentTarget.value)}
          />
          <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput
            label="Until"
            type="date"
            value={until}
            onChange={(e) => setUntil(e.currentTarget.value)}
          />
        </SimpleGrid>
      </Card>
      <Card withBorder padding={0}>
        {events.isPending ? (
          <LoadingState />
        ) : events.isError && !events.data ? (
          <ErrorState error={events.error} onRetry={() => void events.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title="No events match" />
        ) : (
          <ScrollTable minWidth={760} label="Audit events">
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">What</Table.Th>
                  <Table.Th scope="col">Who</Table.Th>
                  <Table.Th scope="col">Whom</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td>{dates.dateTime(e.occurredAt)}</Table.Td>
                    <Table.Td>
                      <Anchor component="button" type="button" onClick={() => setSelected(e)}>
                        {describeAction(e.action)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{who(e.actor) ?? e.actorType.toLowerCase()}</Table.Td>
                    <Table.Td>
                      {e.targetUser ? (
                        <Anchor component={Link} to={`/users/${e.targetUser.id}`}>
                          {who(e.targetUser)}
                        </Anchor>
                      ) : (
                        (e.targetType ?? '—')
                      )}
                    </Table.Td>
                    <Table.Td>{e.reason ?? ''}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollTable>
        )}
      </Card>
      {rows.length > 0 ? (
        <LoadMore
          testId="audit-more"
          hasMore={events.hasNextPage}
          loading={events.isFetchingNextPage}
          error={events.isFetchNextPageError ? events.error : null}
          onLoad={() => void events.fetchNextPage()}
          label="Load older events"
          endLabel={`Beginning of the log: all ${rows.length} matching ${rows.length === 1 ? 'event is' : 'events are'} shown.`}
        />
      ) : null}
      <Drawer
        opened={selected !== null}
        onClose={() => setSelected(null)}
        position="right"
        size="lg"
        closeButtonProps={{ 'aria-label': 'Close' }}
        title={selected ? `${describeAction(selected.action)} · #${selected.seq}` : ''}
      >
        {selected ? (
          <Stack gap="sm">
            <Text size="sm">
              <b>When:</b> {dates.dateTime(selected.occurredAt)}
            </Text>
            <Text size="sm">
              <b>Action:</b> <Code>{selected.action}</Code>
            </Text>
            <Text size="sm">
              <b>By:</b> {who(selected.actor) ?? selected.actorType.toLowerCase()}
            </Text>
            {selected.reason ? (
              <Text size="sm">
                <b>Reason:</b> {selected.reason}
              </Text>
            ) : null}
            <Text size="sm">
              <b>From address:</b> {selected.ip ?? '—'}
            </Text>
            <Text size="sm" fw={700}>
              Changes
            </Text>
            <Code block>
              {selected.changes ? JSON.stringify(selected.changes, null, 2) : 'None recorded'}
            </Code>
          </Stack>
        ) : null}
      </Drawer>
    </Page>
  );
}
