import { Alert, Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useMemo, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { CompletePasswordReset, PasswordResetPreview } from '../api/passwords';
import { dateFormat } from '../ui/dates';
import { usePageTitle } from '../ui/page';
import { NewPasswordFields, useNewPassword } from '../ui/new-password-fields';
import { FormError, LoadingState } from '../ui/states';
import { browserTimeZone } from '../ui/time-zone';
import { tokenFromLocation } from './accept-invitation';

/**
 * The page a reset email links to (`/reset-password#token=…`): whose account and until when, then a new
 * password checked as it is typed. A used, replaced or expired link shows what happened and what to do
 * instead, never a form. Completing it signs nobody in: the person signs in with the new password.
 */
export function ResetPasswordPage() {
  usePageTitle('Choose a new password');
  const location = useLocation();
  const token = useMemo(
    () => tokenFromLocation(location.hash, location.search),
    [location.hash, location.search],
  );
  const preview = useQuery({
    queryKey: ['passwordResetPreview', token],
    queryFn: () => request(PasswordResetPreview, { token: token ?? '' }, { anonymous: true }),
    enabled: token !== null,
    retry: (count, e) => !(e instanceof ApiError) && count < 2,
    staleTime: Infinity,
  });
  const reset = preview.data?.passwordResetPreview ?? null;
  const newPassword = useNewPassword(reset?.minPasswordLength);
  const mutation = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(
            CompletePasswordReset,
            { input: { token: token ?? '', newPassword: newPassword.password } },
            { anonymous: true },
          )
        ).completePasswordReset,
      ),
  });
  const error = mutation.error;
  const passwordError = error instanceof ApiError && error.has('PASSWORD_POLICY') ? error.message : null;
  const dead = [error, preview.error].find(
    (e): e is ApiError =>
      e instanceof ApiError && (e.has('PASSWORD_RESET_INVALID') || e.has('PASSWORD_RESET_EXPIRED')),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (newPassword.acceptable) mutation.mutate();
  };
  const dates = dateFormat(browserTimeZone(), navigator.language || undefined);

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="lg" w={520} maw="100%" radius="md">
        <Stack>
          <Title order={1} size="h2">
            Choose a new password
          </Title>
          {!token ? (
            <Alert color="red" variant="light" role="alert" title="This link is incomplete">
              <DeadLinkHelp />
            </Alert>
          ) : mutation.isSuccess ? (
            <Alert color="teal" variant="light" role="status" title="Your password is changed">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  Every session of the account was signed out. Sign in with your email
                  {mutation.data.email ? (
                    <>
                      {' '}
                      (<b>{mutation.data.email}</b>)
                    </>
                  ) : null}{' '}
                  and the new password.
                </Text>
                <Button component={Link} to="/sign-in" size="xs">
                  Sign in
                </Button>
              </Stack>
            </Alert>
          ) : dead ? (
            <Alert color="red" variant="light" role="alert" title="This link cannot be used">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  {dead.has('PASSWORD_RESET_EXPIRED')
                    ? 'This link has expired: reset links work for 30 minutes.'
                    : 'This link has already been used, was replaced by a newer one, or is not valid.'}
                </Text>
                <DeadLinkHelp />
              </Stack>
            </Alert>
          ) : preview.isPending ? (
            <LoadingState label="Checking your link…" />
          ) : preview.isError ? (
            <FormError error={preview.error} />
          ) : (
            <form onSubmit={submit} noValidate>
              <Stack gap="sm">
                {reset ? (
                  <Text size="sm">
                    For <b>{reset.email}</b> in <b>{reset.organizationName}</b>. This link works once, until{' '}
                    {dates.dateTime(reset.expiresAt)}.
                  </Text>
                ) : null}
                {/* For password managers: the account the new password belongs to. */}
                <input type="hidden" name="username" autoComplete="username" value={reset?.email ?? ''} />
                <NewPasswordFields value={newPassword} error={passwordError} autoFocus />
                {!passwordError ? <FormError error={error} /> : null}
                <Button type="submit" loading={mutation.isPending} disabled={!newPassword.acceptable}>
                  Set the new password
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}

function DeadLinkHelp() {
  return (
    <Stack gap="xs" align="flex-start">
      <Text size="sm">
        Ask for a new link (only the newest one works), or sign in if you remember your password.
      </Text>
      <Button component={Link} to="/forgot-password" size="xs" variant="default">
        Send me a new link
      </Button>
      <Button component={Link} to="/sign-in" size="xs" variant="subtle">
        Go to sign-in
      </Button>
    </Stack>
  );
}
