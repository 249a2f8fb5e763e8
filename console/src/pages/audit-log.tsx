import {
  Anchor,
  Button,
  Card,
  Code,
  Drawer,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { request } from '../api/client';
import { downloadFile } from '../api/download';
import { usePermissions } from '../auth/viewer';
import { AuditChainStatusLine } from './audit-chain-status';
import { graphql, type ResultOf } from '../graphql';
import { describeAction, groupOfAction } from '../ui/audit-actions';
import { AuditChanges } from './audit-changes';
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

const AuditActionsQuery = graphql(`
  query AuditActions {
    auditActions
  }
`);

/** The filter's option for no filter (not an action: actions always contain a dot). */
const allActions = 'all';

/** The server's actions as select options with readable names, grouped by what they are about. */
function useActionOptions() {
  const actions = useQuery({
    queryKey: ['audit', 'actions'],
    queryFn: async () => (await request(AuditActionsQuery)).auditActions,
    staleTime: Infinity,
  });
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const a of actions.data ?? []) {
    const g = groupOfAction(a);
    groups.set(g, [...(groups.get(g) ?? []), { value: a, label: describeAction(a) }]);
  }
  return [
    { value: allActions, label: 'All actions' },
    ...[...groups].map(([group, items]) => ({ group, items })),
  ];
}

type AuditEvent = ResultOf<typeof AuditEventsQuery>['auditEvents']['edges'][number]['node'];

/** A target that is not a user, in words ("Organisation"); "—" for none. */
function targetText(type: string | null): string {
  if (!type) return '—';
  if (type === 'organization') return 'Organisation';
  const t = type.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export function AuditLogPage() {
  const dates = useDates();
  const [action, setAction] = useState<string | null>(null);
  const actionOptions = useActionOptions();
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const dayAfter = (d: string) => {
    const t = new Date(`${d}T00:00:00Z`);
    t.setUTCDate(t.getUTCDate() + 1);
    return t.toISOString().slice(0, 10);
  };
  const filter = {
    action: action || null,
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
          <Select
            label="Action"
            placeholder="All actions"
            data={actionOptions}
            value={action ?? allActions}
            onChange={(v) => setAction(v === allActions ? null : v)}
            searchable
            clearable
            // The list scrolls: its viewport takes focus so it can be scrolled from the keyboard too.
            scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'group', 'aria-label': 'Actions' } }}
            nothingFoundMessage="No action of that name"
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
                  <Table.Th scope="col">Target</Table.Th>
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
                        targetText(e.targetType)
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
            <AuditChanges changes={selected.changes} />
          </Stack>
        ) : null}
      </Drawer>
    </Page>
  );
}
