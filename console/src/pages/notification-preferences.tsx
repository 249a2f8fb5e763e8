import { Badge, Card, Group, Stack, Switch, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request } from '../api/client';
import { unwrapPayload } from '../api/errors';
import { UserErrorFields } from '../api/user-errors';
import { graphql } from '../graphql';
import { notifyDone } from '../ui/notify';
import { Page } from '../ui/page';
import { ErrorState, FormError, LoadingState } from '../ui/states';
import { noticeKindNames } from './settings/notice-kinds';
import type { NoticeKind } from './settings/settings-api';

const MyNotificationPreferencesQuery = graphql(`
  query MyNotificationPreferences {
    myNotificationOptOuts
    mandatoryNotificationKinds
  }
`);

const UpdateMyNotificationPreferences = graphql(
  `
    mutation UpdateMyNotificationPreferences($input: UpdateMyNotificationPreferencesInput!) {
      updateMyNotificationPreferences(input: $input) {
        optedOut
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

const key = ['me', 'notification-preferences'] as const;

/** What each notice tells the person it is about, in their words. */
const about: Record<NoticeKind, string> = {
  INVITATION: 'Your invitation to Roster.',
  INVITATION_REMINDER: 'A reminder before your invitation expires.',
  USER_ACTIVATED: 'Your account is active (and, for administrators, someone else’s).',
  USER_SUSPENDED: 'Your account is suspended, with the reason.',
  USER_REACTIVATED: 'Your account can be used again.',
  USER_SUSPENSION_ENDED: 'A suspension ended at its planned time.',
  USER_DEACTIVATED: 'Your account is deactivated.',
  ROLE_CHANGED: 'Your role changed.',
  SESSIONS_REVOKED: 'An administrator signed you out.',
  PASSWORD_RESET: 'A link to choose a new password, when you or an administrator ask for one.',
  PASSWORD_CHANGED: 'Your password was changed or reset.',
  MFA_CHANGED: 'An authenticator app or recovery codes of yours were added, removed or reset.',
  PASSKEY_CHANGED: 'A passkey was added to or removed from your account.',
};

/** The signed-in person's choice of optional notices; security notices cannot be turned off. */
export function NotificationPreferencesPage() {
  const queryClient = useQueryClient();
  const prefs = useQuery({ queryKey: key, queryFn: () => request(MyNotificationPreferencesQuery) });
  const change = useMutation({
    mutationFn: async ({ kind, on }: { kind: NoticeKind; on: boolean }) =>
      unwrapPayload(
        (
          await request(UpdateMyNotificationPreferences, {
            input: on ? { optIn: [kind] } : { optOut: [kind] },
          })
        ).updateMyNotificationPreferences,
      ),
    onSuccess: (payload, { kind, on }) => {
      queryClient.setQueryData(key, (old: typeof prefs.data) =>
        old ? { ...old, myNotificationOptOuts: payload.optedOut ?? [] } : old,
      );
      notifyDone(`${noticeKindNames[kind]}: ${on ? 'you will be told' : 'you will not be told'}.`);
    },
  });

  return (
    <Page
      title="My notifications"
      description="Choose which optional notices you receive, in the console and by email. Security notices always reach you."
    >
      {prefs.isPending ? (
        <LoadingState />
      ) : prefs.isError ? (
        <ErrorState error={prefs.error} onRetry={() => void prefs.refetch()} />
      ) : (
        <Card withBorder padding="lg" maw={720}>
          <Stack gap="md">
            {(Object.keys(noticeKindNames) as NoticeKind[]).map((kind) => {
              const mandatory = prefs.data.mandatoryNotificationKinds.includes(kind);
              const on = !prefs.data.myNotificationOptOuts.includes(kind);
              return (
                <Group key={kind} justify="space-between" wrap="nowrap" align="flex-start">
                  <Switch
                    label={noticeKindNames[kind]}
                    description={about[kind]}
                    checked={mandatory || on}
                    disabled={mandatory || (change.isPending && change.variables?.kind === kind)}
                    onChange={(e) => change.mutate({ kind, on: e.currentTarget.checked })}
                  />
                  {mandatory ? (
                    <Badge variant="light" color="gray" style={{ flexShrink: 0 }}>
                      Always sent
                    </Badge>
                  ) : null}
                </Group>
              );
            })}
            <FormError error={change.error} />
            <Text size="sm" c="dimmed">
              Administrators also hear about changes to the people they are responsible for; turning a kind
              off here stops those notices too.
            </Text>
          </Stack>
        </Card>
      )}
    </Page>
  );
}
