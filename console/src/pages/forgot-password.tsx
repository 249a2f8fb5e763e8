import { Alert, Anchor, Button, Center, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { request } from '../api/client';
import { unwrapPayload } from '../api/errors';
import { RequestPasswordReset } from '../api/passwords';
import { usePageTitle } from '../ui/page';
import { FormError } from '../ui/states';

/**
 * Forgot password: the address (and, optionally, the organisation). The answer is the same whether or
 * not the address has an account — the API says nothing either way, and neither does this page.
 */
export function ForgotPasswordPage() {
  usePageTitle('Forgot your password?');
  const [email, setEmail] = useState('');
  const [organization, setOrganization] = useState('');
  const [askOrganization, setAskOrganization] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const mutation = useMutation({
    mutationFn: async () => {
      unwrapPayload(
        (
          await request(
            RequestPasswordReset,
            { input: { email: email.trim(), organization: organization.trim() || null } },
            { anonymous: true },
          )
        ).requestPasswordReset,
      );
      setSentTo(email.trim());
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (email.trim()) mutation.mutate();
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={460} maw="100%" radius="md">
        <Stack>
          <Stack gap={4}>
            <Title order={1} size="h2">
              Forgot your password?
            </Title>
            <Text c="dimmed" size="sm">
              Give the email of your account: we send it a link to choose a new password.
            </Text>
          </Stack>
          {sentTo ? (
            <Alert color="teal" variant="light" role="status" title="Check your email">
              <Stack gap="xs" align="flex-start">
                <Text size="sm">
                  If <b>{sentTo}</b> belongs to an account that can sign in, an email with a link to choose a
                  new password is on its way. The link works once, for 30 minutes.
                </Text>
                <Text size="sm">
                  Nothing arrived after a few minutes? Check your spam folder, make sure the address is the
                  one you sign in with, or ask an administrator of your organisation to send you a link.
                </Text>
                <Button component={Link} to="/sign-in" size="xs" variant="default">
                  Back to sign-in
                </Button>
              </Stack>
            </Alert>
          ) : (
            <form onSubmit={submit} noValidate>
              <Stack>
                <TextInput
                  label="Email"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.currentTarget.value)}
                  autoFocus
                />
                {askOrganization ? (
                  <TextInput
                    label="Organisation"
                    description="Optional: the short name (slug) of your organisation, if your email is used in several."
                    value={organization}
                    onChange={(e) => setOrganization(e.currentTarget.value)}
                    autoComplete="organization"
                  />
                ) : null}
                <FormError error={mutation.error} />
                <Button type="submit" loading={mutation.isPending} disabled={!email.trim()}>
                  Email me a link
                </Button>
                {!askOrganization ? (
                  <Anchor component="button" type="button" size="sm" onClick={() => setAskOrganization(true)}>
                    For a specific organisation
                  </Anchor>
                ) : null}
                <Anchor component={Link} to="/sign-in" size="sm">
                  Back to sign-in
                </Anchor>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
