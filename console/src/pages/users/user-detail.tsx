import { Anchor, Badge, Card, Grid, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { request } from '../../api/client';
import { isForbidden, unwrapPayload } from '../../api/errors';
import { RevokeUserSessions, SessionsQuery } from '../../api/sessions';
import { UserDetailQuery, type UserDetail } from '../../api/users';
import { roleName, usePermissions, useRoles } from '../../auth/viewer';
import { InvitationBadge, StatusBadge } from '../../ui/badges';
import { useDates } from '../../ui/dates';
import { notifyDone } from '../../ui/notify';
import { PageSkeleton } from '../../ui/page-skeleton';
import { Page } from '../../ui/page';
import { EmptyState, ErrorState, FormError, LoadingState } from '../../ui/states';
import { SessionsTable } from '../sessions-table';
import { SignInLockNotice } from './sign-in-lock';
import { UserActions } from './user-actions';
import { UserSecurityCard } from './user-security-card';
import { UserDepartments } from './user-departments';
import { UserHistory } from './user-history';
import { UserStatusHistory } from './user-status-history';
import { EffectivePermissionsSection } from '../roles/effective-permissions';

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </Stack>
  );
}

export function UserDetailPage() {
  const { id = '' } = useParams();
  const { can, ready } = usePermissions();
  const user = useQuery({
    queryKey: ['user', id, can('departments:read'), can('invitations:read')],
    queryFn: async () =>
      (
        await request(UserDetailQuery, {
          id,
          withDepartments: can('departments:read'),
          withInvitation: can('invitations:read'),
        })
      ).user,
    enabled: ready,
  });
  if (!ready || user.isPending) return <PageSkeleton label="Loading the user…" />;
  if (user.isError) return <ErrorState error={user.error} onRetry={() => void user.refetch()} />;
  if (!user.data) {
    return (
      <Page title="User not found">
        <EmptyState title="There is no such user in your organisation">
          <Anchor component={Link} to="/users">
            Back to the users
          </Anchor>
        </EmptyState>
      </Page>
    );
  }
  return <UserDetailView user={user.data} />;
}

/** Why the permissions a user's role and departments grant do not apply now, or null when they do. */
function notInForceReason(user: UserDetail): string | null {
  if (user.status === 'DEACTIVATED')
    return 'The account is deactivated: it cannot sign in, so none of these permissions apply. They are what its role and departments would grant.';
  if (user.status === 'SUSPENDED')
    return 'The account is suspended: none of these permissions apply until it is reactivated.';
  if (user.status === 'INVITED')
    return 'The invitation is not accepted yet: these permissions apply once the account is activated.';
  return null;
}

function attributeEntries(attributes: unknown): [string, unknown][] {
  return attributes && typeof attributes === 'object' ? Object.entries(attributes) : [];
}

function UserDetailView({ user }: { user: UserDetail }) {
  const dates = useDates();
  const roles = useRoles();
  return (
    <Page
      title={user.displayName || user.email}
      description={
        <Group gap="xs" component="span">
          <span>{user.email}</span>
          <StatusBadge status={user.status} />
          <Badge variant="outline">{roleName(roles.data, user.role)}</Badge>
        </Group>
      }
    >
      <UserActions user={user} />
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            <Card withBorder padding="lg" component="section" aria-labelledby="profile-title">
              <Title order={2} size="h4" id="profile-title" mb="sm">
                Profile
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <Field label="Name">{user.displayName || '—'}</Field>
                <Field label="Email">{user.email}</Field>
                <Field label="Job title">{user.jobTitle ?? '—'}</Field>
                <Field label="Phone">{user.phone ?? '—'}</Field>
                <Field label="Time zone">{user.timeZone ?? '—'}</Field>
                <Field label="Language">{user.locale ?? '—'}</Field>
                <Field label="Created">{dates.dateTime(user.createdAt)}</Field>
                <Field label="Activated">{dates.dateTime(user.activatedAt)}</Field>
                <Field label="Last sign-in">{dates.dateTime(user.lastLoginAt)}</Field>
                <Field label="Last active">
                  {user.lastActiveAt ? dates.relative(user.lastActiveAt) : 'Never'}
                </Field>
                {attributeEntries(user.attributes).map(([name, value]) => (
                  <Field key={name} label={name}>
                    {value === null ? '—' : value === true ? 'Yes' : value === false ? 'No' : String(value)}
                  </Field>
                ))}
              </SimpleGrid>
            </Card>
            <Card withBorder padding={0} component="section" aria-labelledby="sessions-title">
              <Title order={2} size="h4" id="sessions-title" p="lg" pb={0}>
                Sessions
              </Title>
              <UserSessions
                userId={user.id}
                canRevoke={user.viewerCan.revokeSessions}
                signedIn={user.lastLoginAt !== null}
              />
            </Card>
            <EffectivePermissionsSection userId={user.id} notInForce={notInForceReason(user)} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            <Card withBorder padding="lg" component="section" aria-labelledby="status-title">
              <Title order={2} size="h4" id="status-title" mb="sm">
                Status
              </Title>
              <Stack gap="xs">
                <SignInLockNotice user={user} />
                <Group gap="xs">
                  <StatusBadge status={user.status} />
                  <Text size="sm" c="dimmed">
                    since {dates.dateTime(user.statusChangedAt)}
                  </Text>
                </Group>
                {user.statusReason ? <Field label="Reason">{user.statusReason}</Field> : null}
                {user.suspendedUntil ? (
                  <Field label="Suspended until">{dates.dateTime(user.suspendedUntil)}</Field>
                ) : null}
                {user.departments ? (
                  <Field label="Departments">
                    <UserDepartments user={user} departments={user.departments} />
                  </Field>
                ) : null}
                {user.invitation ? (
                  <Field label="Invitation">
                    <Group gap="xs">
                      <InvitationBadge status={user.invitation.status} />
                      <Text size="sm">
                        sent {dates.dateTime(user.invitation.createdAt)}
                        {user.invitation.acceptedAt
                          ? `, accepted ${dates.dateTime(user.invitation.acceptedAt)}`
                          : `, expires ${dates.dateTime(user.invitation.expiresAt)}`}
                      </Text>
                    </Group>
                  </Field>
                ) : null}
                <Title order={3} size="h6" id="status-history-title" mt="xs">
                  Status history
                </Title>
                <UserStatusHistory userId={user.id} />
              </Stack>
            </Card>
            <UserSecurityCard userId={user.id} name={user.displayName || user.email} />
            <Card withBorder padding="lg" component="section" aria-labelledby="history-title">
              <Title order={2} size="h4" id="history-title" mb="sm">
                History
              </Title>
              <UserHistory userId={user.id} />
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
    </Page>
  );
}

function UserSessions({
  userId,
  canRevoke,
  signedIn,
}: {
  userId: string;
  canRevoke: boolean;
  /** The account records a sign-in (`lastLoginAt`): an empty list then says so rather than "never". */
  signedIn: boolean;
}) {
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['sessions', 'user', userId],
    queryFn: async () => {
      try {
        return (await request(SessionsQuery, { userId })).sessions;
      } catch (e) {
        if (isForbidden(e)) return null;
        throw e;
      }
    },
  });
  // One session of the user ended (the API's revokeUserSessions with a session id; audited, and the
  // session's tokens stop working at once).
  const revoke = useMutation({
    mutationFn: async (sessionId: string) =>
      unwrapPayload((await request(RevokeUserSessions, { input: { userId, sessionId } })).revokeUserSessions),
    onSuccess: () => {
      notifyDone('The session has ended.');
      void queryClient.invalidateQueries({ queryKey: ['sessions', 'user', userId] });
    },
  });
  if (sessions.isPending) return <LoadingState />;
  if (sessions.isError) return <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />;
  if (sessions.data === null)
    return (
      <Text c="dimmed" p="lg">
        You may not see this user’s sessions.
      </Text>
    );
  if (sessions.data.length === 0)
    return <EmptyState title={signedIn ? 'No sessions recorded' : 'Never signed in'} />;
  return (
    <>
      {revoke.error ? (
        <Stack p="lg" pb={0}>
          <FormError error={revoke.error} />
        </Stack>
      ) : null}
      <SessionsTable
        sessions={sessions.data}
        caption="Most recent sessions, newest first"
        minWidth={520}
        onRevoke={canRevoke ? (s) => revoke.mutate(s.id) : undefined}
        revoking={revoke.isPending ? (revoke.variables ?? null) : null}
      />
    </>
  );
}
