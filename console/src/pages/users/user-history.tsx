import { Text, Timeline } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { request } from '../../api/client';
import { isForbidden } from '../../api/errors';
import { graphql } from '../../graphql';
import { describeAction } from '../../ui/audit-actions';
import { useDates } from '../../ui/dates';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';

const UserHistoryQuery = graphql(`
  query UserHistory($id: ID!) {
    auditEvents(first: 25, filter: { targetId: $id }) {
      edges {
        node {
          id
          action
          occurredAt
          reason
          actorType
          actor {
            id
            displayName
            email
          }
        }
      }
    }
  }
`);

/** The user's audit timeline: what happened to them, when, by whom and why. */
export function UserHistory({ userId }: { userId: string }) {
  const dates = useDates();
  const history = useQuery({
    queryKey: ['audit', 'user', userId],
    queryFn: async () => {
      try {
        return (await request(UserHistoryQuery, { id: userId })).auditEvents.edges.map((e) => e.node);
      } catch (e) {
        if (isForbidden(e)) return null;
        throw e;
      }
    },
  });
  if (history.isPending) return <LoadingState />;
  if (history.isError) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data === null) return <Text c="dimmed">You may not read the audit trail.</Text>;
  if (history.data.length === 0) return <EmptyState title="Nothing recorded yet" />;
  return (
    <Timeline bulletSize={14} lineWidth={2}>
      {history.data.map((e) => (
        <Timeline.Item key={e.id} title={describeAction(e.action)}>
          <Text size="xs" c="dimmed">
            {dates.dateTime(e.occurredAt)} ·{' '}
            {e.actor ? (
              <Link to={`/users/${e.actor.id}`}>{e.actor.displayName || e.actor.email}</Link>
            ) : (
              e.actorType.toLowerCase()
            )}
          </Text>
          {e.reason ? <Text size="sm">“{e.reason}”</Text> : null}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
