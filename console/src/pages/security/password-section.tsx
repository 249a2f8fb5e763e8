import { Button, Card, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { ApiError, unwrapPayload } from '../../api/errors';
import { ChangeMyPassword } from '../../api/passwords';
import { graphql } from '../../graphql';
import { useDates } from '../../ui/dates';
import { notifyDone } from '../../ui/notify';
import { NewPasswordFields, useNewPassword } from '../../ui/new-password-fields';
import { FormError } from '../../ui/states';

const MyPasswordQuery = graphql(`
  query MyPassword {
    viewer {
      id
      email
      minPasswordLength
      passwordChangedAt
    }
  }
`);

const key = ['me', 'password'] as const;

/**
 * "My security" → Password: the current password, then the new one checked as it is typed. A wrong
 * current password counts like a failed sign-in; the other sessions end (unless the organisation keeps
 * them), this one stays.
 */
export function PasswordSection() {
  const queryClient = useQueryClient();
  const dates = useDates();
  const me = useQuery({ queryKey: key, queryFn: () => request(MyPasswordQuery) });
  const viewer = me.data?.viewer;
  const minLength = viewer?.minPasswordLength ?? undefined;
  const [current, setCurrent] = useState('');
  const newPassword = useNewPassword(minLength);
  const change = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(ChangeMyPassword, {
            input: { currentPassword: current, newPassword: newPassword.password },
          })
        ).changeMyPassword,
      ),
    onSuccess: async (p) => {
      setCurrent('');
      newPassword.clear();
      notifyDone(
        p.endedSessions
          ? `Your password is changed. Your other sessions (${p.endedSessions}) were signed out.`
          : 'Your password is changed.',
      );
      await Promise.all(
        [key, ['sessions']].map((queryKey) => queryClient.invalidateQueries({ queryKey: [...queryKey] })),
      );
    },
  });
  const error = change.error;
  const fieldError = (field: string) =>
    error instanceof ApiError ? (error.problems.find((p) => p.field === field)?.message ?? null) : null;
  const currentError = fieldError('currentPassword');
  const newError = fieldError('newPassword');
  const ready = current.length > 0 && newPassword.acceptable;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ready) change.mutate();
  };

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="password-section-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Stack gap={2}>
            <Title order={2} size="h3" id="password-section-title">
              Password
            </Title>
            <Text size="sm" c="dimmed">
              {viewer?.passwordChangedAt
                ? `Last changed ${dates.dateTime(viewer.passwordChangedAt)}.`
                : 'Change the password you sign in with.'}{' '}
              Changing it signs out your other sessions; this one stays.
            </Text>
          </Stack>
          {/* For password managers: the account the new password belongs to. */}
          <input type="hidden" name="username" autoComplete="username" value={viewer?.email ?? ''} />
          <PasswordInput
            label="Current password"
            required
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={currentError}
            maw={420}
          />
          <NewPasswordFields value={newPassword} error={newError} />
          {!currentError && !newError ? <FormError error={error} /> : null}
          <div>
            <Button type="submit" loading={change.isPending} disabled={!ready}>
              Change password
            </Button>
          </div>
        </Stack>
      </form>
    </Card>
  );
}
