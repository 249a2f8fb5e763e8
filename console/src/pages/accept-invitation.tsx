import { Alert, Button, Center, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { session } from '../api/session';
import { signIn } from '../auth/sign-in';
import { roleName } from '../auth/viewer';
import { graphql, type ResultOf } from '../graphql';
import { usePageTitle } from '../ui/page';
import { NewPasswordFields, useNewPassword } from '../ui/new-password-fields';
import { dateFormat } from '../ui/dates';
import { FormError, LoadingState } from '../ui/states';
import { browserTimeZone } from '../ui/time-zone';
import { TimeZoneSelect } from '../ui/time-zone-select';
import { UserErrorFields } from '../api/user-errors';

const AcceptInvitation = graphql(
  `
    mutation AcceptInvitation($input: AcceptInvitationInput!) {
      acceptInvitation(input: $input) {
        accessToken
        refreshToken
        expiresAt
        user {
          id
          email
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

const InvitationPreviewQuery = graphql(`
  query InvitationPreview($token: String!) {
    invitationPreview(token: $token) {
      organizationName
      email
      role
      invitedBy
      message
      departmentName
      expiresAt
      minPasswordLength
    }
  }
`);

/** The token of an acceptance link: `#token=…` (what Roster sends) or `?token=…`. */
export function tokenFromLocation(hash: string, search: string): string | null {
  const fromHash = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return fromHash || new URLSearchParams(search).get('token');
}

/**
 * Accepting an invitation (also the first owner's setup): a profile and a password, then the person lands
 * signed in.
 */
export function AcceptInvitationPage() {
  usePageTitle('Accept your invitation');
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const token = useMemo(
    () => tokenFromLocation(location.hash, location.search),
    [location.hash, location.search],
  );
  const preview = useQuery({
    queryKey: ['invitationPreview', token],
    queryFn: () => request(InvitationPreviewQuery, { token: token ?? '' }, { anonymous: true }),
    enabled: token !== null,
    retry: (count, e) => !(e instanceof ApiError) && count < 2,
    staleTime: Infinity,
  });
  const invitation = preview.data?.invitationPreview ?? null;
  const [displayName, setDisplayName] = useState('');
  const [jobTitle, setJobTitle] = useState('');
  const [timeZone, setTimeZone] = useState<string | null>(browserTimeZone());
  const newPassword = useNewPassword(invitation?.minPasswordLength);
  const password = newPassword.password;
  const [accountReady, setAccountReady] = useState(false);

  const mutation = useMutation({
    mutationFn: async () => {
      const r = await request(
        AcceptInvitation,
        {
          input: {
            token: token ?? '',
            password,
            displayName: displayName.trim() || null,
            jobTitle: jobTitle.trim() || null,
            timeZone,
            locale: navigator.language || null,
          },
        },
        { anonymous: true },
      );
      const p = unwrapPayload(r.acceptInvitation);
      if (!p.user) throw new ApiError([{ code: 'UNKNOWN', message: 'The invitation was not accepted.' }]);
      setAccountReady(true);
      if (p.accessToken && p.refreshToken) {
        // The API signed the person in with the acceptance itself: no second round with the password.
        session.signedIn({
          accessToken: p.accessToken,
          refreshToken: p.refreshToken,
          expiresAt: p.expiresAt,
        });
      } else {
        await signIn({ email: p.user.email, password });
      }
    },
    onSuccess: () => {
      queryClient.clear();
      navigate('/', { replace: true });
    },
  });

  const error = mutation.error;
  const passwordError = error instanceof ApiError && error.has('PASSWORD_POLICY') ? error.message : null;
  const deadLinkError = [error, preview.error].find(
    (e): e is ApiError =>
      e instanceof ApiError && (e.has('INVITATION_INVALID') || e.has('INVITATION_EXPIRED')),
  );
  const linkDead = deadLinkError !== undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (newPassword.acceptable && displayName.trim()) mutation.mutate();
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="lg" w={640} maw="100%" radius="md">
        <Stack>
          <Stack gap={4}>
            <Title order={1} size="h2">
              Welcome to Roster
            </Title>
            <Text c="dimmed" size="sm">
              Set up your account: tell us your name and choose a password.
            </Text>
          </Stack>
          {!token ? (
            <Alert color="red" variant="light" role="alert" title="This link is incomplete">
              Open the link from your invitation email again, or ask for a new invitation.
            </Alert>
          ) : accountReady && error ? (
            <Alert color="yellow" variant="light" role="alert" title="Your account is ready">
              We could not sign you in automatically. <Link to="/sign-in">Sign in</Link> with your email and
              the password you chose.
            </Alert>
          ) : linkDead ? (
            <DeadLink expired={deadLinkError.has('INVITATION_EXPIRED')} />
          ) : (
            <form onSubmit={submit} noValidate>
              <Stack gap="sm">
                {invitation ? <InvitationSummary invitation={invitation} /> : null}
                {preview.isPending && token ? <LoadingState label="Checking your invitation…" /> : null}
                {preview.isError && !linkDead ? <FormError error={preview.error} /> : null}
                <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="sm">
                  <TextInput
                    label="Your name"
                    description="As colleagues should see it."
                    required
                    autoComplete="name"
                    value={displayName}
                    onChange={(e) => setDisplayName(e.currentTarget.value)}
                    maxLength={200}
                  />
                  <TextInput
                    label="Job title"
                    description="Optional."
                    autoComplete="organization-title"
                    value={jobTitle}
                    onChange={(e) => setJobTitle(e.currentTarget.value)}
                    maxLength={200}
                  />
                </SimpleGrid>
                <TimeZoneSelect value={timeZone} onChange={setTimeZone} />
                <NewPasswordFields value={newPassword} error={passwordError} label="Password" />
                {!passwordError ? <FormError error={error} /> : null}
                <Button
                  type="submit"
                  loading={mutation.isPending}
                  disabled={!newPassword.acceptable || !displayName.trim()}
                >
                  Create my account and sign in
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}

/** A used, replaced or expired link: what happened and what to do instead; nothing to fill in. */
function DeadLink({ expired }: { expired: boolean }) {
  return (
    <Alert color="red" variant="light" role="alert" title="This link cannot be used">
      <Stack gap="xs" align="flex-start">
        <Text size="sm">
          {expired
            ? 'This invitation has expired.'
            : 'This link has already been used, was replaced by a newer one, or is not valid.'}
        </Text>
        <Text size="sm">
          Already set up your account? Sign in with your email and password. Otherwise ask the person who
          invited you (or an administrator of your organisation) to send a new invitation.
        </Text>
        <Button component={Link} to="/sign-in" size="xs" variant="default">
          Go to sign-in
        </Button>
      </Stack>
    </Alert>
  );
}

type Preview = NonNullable<ResultOf<typeof InvitationPreviewQuery>['invitationPreview']>;

/** What the link is for, before anything is submitted: organisation, account, role, inviter, expiry. */
function InvitationSummary({ invitation }: { invitation: Preview }) {
  const dates = dateFormat(browserTimeZone(), navigator.language || undefined);
  return (
    <Paper
      withBorder
      p="sm"
      radius="sm"
      bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-6))"
      data-testid="invitation-summary"
    >
      <Stack gap={4}>
        <Text size="sm">
          {invitation.invitedBy ? (
            <>
              <b>{invitation.invitedBy}</b> invited you to join <b>{invitation.organizationName}</b> as{' '}
              <b>{roleName(undefined, invitation.role)}</b>
              {invitation.departmentName ? (
                <>
                  {' '}
                  in <b>{invitation.departmentName}</b>
                </>
              ) : null}
              .
            </>
          ) : (
            <>
              You are setting up <b>{invitation.organizationName}</b> as its{' '}
              <b>{roleName(undefined, invitation.role)}</b>.
            </>
          )}
        </Text>
        <Text size="sm">
          Your account: <b>{invitation.email}</b>
        </Text>
        {invitation.message ? (
          <Text size="sm" fs="italic">
            “{invitation.message}”
          </Text>
        ) : null}
        <Text size="xs" c="dimmed">
          This link works once, until {dates.dateTime(invitation.expiresAt)}.
        </Text>
      </Stack>
    </Paper>
  );
}
