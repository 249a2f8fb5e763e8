import { Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { request } from '../../api/client';
import { graphql, type ResultOf } from '../../graphql';
import { describeAction } from '../../ui/audit-actions';
import { StatusBadge } from '../../ui/badges';
import { useDates } from '../../ui/dates';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';

export const UserStatusHistoryQuery = graphql(`
  query UserStatusHistory($id: ID!) {
    user(id: $id) {
      id
      statusHistory(first: 20) {
        status
        from
        to
        action
        reason
        changedBySystem
        changedBy {
          id
          displayName
          email
        }
      }
    }
  }
`);

type Period = NonNullable<
  NonNullable<ResultOf<typeof UserStatusHistoryQuery>['user']>['statusHistory']
>[number];

const statusColor: Record<string, string> = {
  ACTIVE: 'teal',
  INVITED: 'blue',
  SUSPENDED: 'orange',
  DEACTIVATED: 'gray',
};

/** How long a period lasted, roughly: "3 days", "5 hours", "under a minute". */
function lasted(from: string, to: string): string {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  const steps: [string, number][] = [
    ['year', 365 * 86_400_000],
    ['month', 30 * 86_400_000],
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
  ];
  for (const [unit, size] of steps) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'}`;
  }
  return 'under a minute';
}

/**
 * The user's statuses over time as a compact timeline, newest first: each status, when it began and
 * ended, why, and who changed it (when the viewer may know: the API leaves `changedBy` empty otherwise).
 */
export function UserStatusHistory({ userId }: { userId: string }) {
  const dates = useDates();
  const history = useQuery({
    // Under ['user', id]: every change to the user reloads it.
    queryKey: ['user', userId, 'status-history'],
    queryFn: async () => (await request(UserStatusHistoryQuery, { id: userId })).user?.statusHistory ?? [],
  });
  if (history.isPending) return <LoadingState label="Loading the status history…" />;
  if (history.isError)
    return (
      <ErrorState
        title="The status history could not be loaded"
        error={history.error}
        onRetry={() => void history.refetch()}
      />
    );
  if (history.data.length === 0) return <EmptyState title="No status recorded yet" />;
  const by = (p: Period) =>
    p.changedBy ? (
      <Link to={`/users/${p.changedBy.id}`}>{p.changedBy.displayName || p.changedBy.email}</Link>
    ) : p.changedBySystem ? (
      'the system'
    ) : null;
  return (
    <Timeline
      bulletSize={12}
      lineWidth={2}
      active={0}
      aria-label="Status history, newest first"
      data-testid="status-history"
    >
      {history.data.map((p) => {
        const who = by(p);
        return (
          <Timeline.Item
            key={`${p.status}-${p.from}`}
            color={statusColor[p.status] ?? 'gray'}
            title={<StatusBadge status={p.status} />}
          >
            <Text size="xs" c="dimmed">
              {p.to
                ? `${dates.dateTime(p.from)} – ${dates.dateTime(p.to)} (${lasted(p.from, p.to)})`
                : `since ${dates.dateTime(p.from)}`}
            </Text>
            {p.action || who ? (
              <Text size="xs" c="dimmed">
                {p.action ? describeAction(p.action) : 'Changed'}
                {who ? <> by {who}</> : null}
              </Text>
            ) : null}
            {p.reason ? <Text size="sm">“{p.reason}”</Text> : null}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
