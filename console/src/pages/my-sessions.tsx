import { Button, Card, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from '../api/client';
import { unwrapPayload } from '../api/errors';
import { RevokeUserSessions, SessionsQuery } from '../api/sessions';
import { useMe } from '../auth/viewer';
import { graphql } from '../graphql';
import { ConfirmModal } from '../ui/confirm-modal';
import { Page } from '../ui/page';
import { EmptyState, ErrorState, FormError, LoadingState } from '../ui/states';
import { SessionsTable, sessionIsLive } from './sessions-table';
import { notifyDone } from '../ui/notify';
import { UserErrorFields } from '../api/user-errors';

const SignOutOtherSessions = graphql(
  `
    mutation SignOutOtherSessions {
      signOutOtherSessions {
        revokedCount
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export function MySessionsPage() {
  const me = useMe();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['sessions', 'mine'],
    queryFn: async () => (await request(SessionsQuery, {})).sessions,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['sessions', 'mine'] });
  const [confirming, confirm] = useDisclosure(false);
  const others = useMutation({
    mutationFn: async () => unwrapPayload((await request(SignOutOtherSessions)).signOutOtherSessions),
    onSuccess: (p) => {
      confirm.close();
      notifyDone(`${p.revokedCount ?? 0} other session(s) ended.`);
      void refresh();
    },
  });
  const one = useMutation({
    mutationFn: async (sessionId: string) =>
      unwrapPayload(
        (await request(RevokeUserSessions, { input: { userId: me.data!.viewer!.id, sessionId } }))
          .revokeUserSessions,
      ),
    onSuccess: () => {
      notifyDone('The session has ended.');
      void refresh();
    },
  });
  const otherLive = (sessions.data ?? []).filter((s) => !s.current && sessionIsLive(s)).length;

  return (
    <Page
      title="My sessions"
      description="Where you are signed in. End any session you do not recognise."
      actions={
        <Button
          color="red"
          variant="light"
          disabled={otherLive === 0}
          loading={others.isPending}
          onClick={confirm.open}
        >
          Sign out other sessions
        </Button>
      }
    >
      <ConfirmModal
        opened={confirming}
        onClose={confirm.close}
        title="Sign out everywhere else?"
        confirmLabel="Sign out other sessions"
        onConfirm={() => others.mutate()}
        pending={others.isPending}
        error={others.error}
        danger
      >
        <Text size="sm">
          Every other browser and device signed in as you is signed out on its next request. This browser
          stays signed in.
        </Text>
      </ConfirmModal>
      <Stack>
        <FormError error={one.error} />
        <Card withBorder padding={0}>
          {sessions.isPending ? (
            <LoadingState />
          ) : sessions.isError ? (
            <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
          ) : sessions.data.length === 0 ? (
            <EmptyState title="No sessions" />
          ) : (
            <SessionsTable
              caption="Your most recent sessions, newest first"
              sessions={sessions.data}
              onRevoke={(s) => one.mutate(s.id)}
              revoking={one.isPending ? one.variables : null}
            />
          )}
        </Card>
      </Stack>
    </Page>
  );
}
