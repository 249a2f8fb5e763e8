import {
  ActionIcon,
  Anchor,
  Button,
  Divider,
  Group,
  Indicator,
  Popover,
  ScrollArea,
  Stack,
  Text,
} from '@mantine/core';
import { IconBell } from '../ui/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { request } from '../api/client';
import { unwrapPayload } from '../api/errors';
import { graphql, type ResultOf } from '../graphql';
import { useDates } from '../ui/dates';
import { EmptyState, ErrorState, FormError, LoadingState } from '../ui/states';
import { UserErrorFields } from '../api/user-errors';

const UnreadCount = graphql(`
  query UnreadNotificationCount {
    unreadNotificationCount
  }
`);

const RecentNotifications = graphql(`
  query RecentNotifications {
    notifications(first: 15) {
      edges {
        node {
          id
          kind
          title
          body
          createdAt
          readAt
          userId
        }
      }
    }
  }
`);

const MarkRead = graphql(
  `
    mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) {
      markNotificationsRead(input: $input) {
        unreadCount
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

type Notice = ResultOf<typeof RecentNotifications>['notifications']['edges'][number]['node'];

/**
 * The bell: unread count (checked every minute), the latest notices, "mark all read", and one notice marked
 * read when it is opened or its own button is pressed.
 */
export function NotificationsBell() {
  const [opened, setOpened] = useState(false);
  const queryClient = useQueryClient();
  const dates = useDates();
  const count = useQuery({
    queryKey: ['notifications', 'unread'],
    queryFn: async () => (await request(UnreadCount)).unreadNotificationCount,
    refetchInterval: 60_000,
  });
  const list = useQuery<Notice[]>({
    queryKey: ['notifications', 'recent'],
    queryFn: async () => (await request(RecentNotifications)).notifications.edges.map((e) => e.node),
    enabled: opened,
  });
  const markRead = useMutation({
    mutationFn: async (ids: string[] | null) =>
      unwrapPayload(
        (await request(MarkRead, { input: ids ? { ids } : { all: true } })).markNotificationsRead,
      ),
    // The answer carries the new unread count: the badge and the list change together from it (a refetch of
    // each would land at different moments and show a read notice still offering "Mark read"), then both are
    // refetched for whatever else changed meanwhile.
    onSuccess: (payload, ids) => {
      const readAt = new Date().toISOString();
      queryClient.setQueryData(['notifications', 'unread'], payload.unreadCount);
      queryClient.setQueryData<Notice[]>(['notifications', 'recent'], (notices) =>
        notices?.map((n) => (n.readAt || (ids && !ids.includes(n.id)) ? n : { ...n, readAt })),
      );
      return queryClient.invalidateQueries({ queryKey: ['notifications'] });
    },
  });
  const unread = count.data ?? 0;

  return (
    <Popover width={360} position="bottom-end" opened={opened} onChange={setOpened} withinPortal>
      <Popover.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          size="lg"
          aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
          onClick={() => setOpened((o) => !o)}
        >
          <Indicator label={unread > 99 ? '99+' : unread} size={16} disabled={unread === 0} offset={2}>
            <IconBell size={20} aria-hidden />
          </Indicator>
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown p={0}>
        <Group justify="space-between" p="sm">
          <Text fw={600}>Notifications</Text>
          <Button
            size="xs"
            variant="subtle"
            disabled={unread === 0}
            loading={markRead.isPending && markRead.variables === null}
            onClick={() => markRead.mutate(null)}
          >
            Mark all read
          </Button>
        </Group>
        {markRead.isError ? (
          <Stack px="sm" pb="sm">
            <FormError error={markRead.error} />
          </Stack>
        ) : null}
        <Divider />
        <ScrollArea.Autosize mah={400}>
          <Stack gap={0} p="xs">
            {list.isPending ? (
              <LoadingState />
            ) : list.isError ? (
              <ErrorState error={list.error} />
            ) : list.data.length === 0 ? (
              <EmptyState title="No notifications" />
            ) : (
              list.data.map((n) => (
                <Stack
                  key={n.id}
                  gap={2}
                  p="xs"
                  bg={
                    n.readAt
                      ? undefined
                      : 'light-dark(var(--mantine-color-indigo-0), var(--mantine-color-dark-5))'
                  }
                  style={{ borderRadius: 'var(--mantine-radius-sm)' }}
                >
                  <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                    <Text size="sm" fw={n.readAt ? 400 : 600} miw={0} style={{ overflowWrap: 'anywhere' }}>
                      {n.userId ? (
                        <Anchor
                          component={Link}
                          to={`/users/${n.userId}`}
                          inherit
                          onClick={() => {
                            if (!n.readAt) markRead.mutate([n.id]);
                            setOpened(false);
                          }}
                        >
                          {n.title}
                        </Anchor>
                      ) : (
                        n.title
                      )}
                    </Text>
                    {n.readAt ? null : (
                      <Button
                        size="compact-xs"
                        variant="subtle"
                        style={{ flexShrink: 0 }}
                        aria-label={`Mark “${n.title}” read`}
                        loading={markRead.isPending && markRead.variables?.[0] === n.id}
                        onClick={() => markRead.mutate([n.id])}
                      >
                        Mark read
                      </Button>
                    )}
                  </Group>
                  <Text size="xs" c="dimmed">
                    {n.body}
                  </Text>
                  <Text size="xs" c="dimmed" title={dates.dateTime(n.createdAt)}>
                    {dates.relative(n.createdAt)}
                  </Text>
                </Stack>
              ))
            )}
          </Stack>
        </ScrollArea.Autosize>
      </Popover.Dropdown>
    </Popover>
  );
}
