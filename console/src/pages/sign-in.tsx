import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/errors';
import { safeNext, signIn, type MfaChallenge } from '../auth/sign-in';
import { SignInSecondStep } from './sign-in-second-step';
import { useSession } from '../auth/use-session';
import { usePageTitle } from '../ui/page';
import { FormError } from '../ui/states';

export function SignInPage() {
  usePageTitle('Sign in');
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const { status, notice } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organization, setOrganization] = useState('');
  const [askOrganization, setAskOrganization] = useState(false);
  // MFA (security/mfa-totp): the password was right and a second factor is due.
  const [challenge, setChallenge] = useState<MfaChallenge | null>(null);
  const finish = () => {
    queryClient.clear();
    navigate(next, { replace: true });
  };

  const mutation = useMutation({
    mutationFn: () => signIn({ email: email.trim(), password, organization: organization.trim() || null }),
    onSuccess: (mfa) => {
      if (mfa) {
        setPassword('');
        setChallenge(mfa);
      } else finish();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.has('ORGANIZATION_REQUIRED')) setAskOrganization(true);
    },
  });

  if (status === 'signedIn' && !mutation.isPending) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate();
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={420} maw="100%" radius="md">
        {challenge ? (
          <SignInSecondStep
            challenge={challenge}
            onDone={finish}
            onRestart={() => {
              setChallenge(null);
              mutation.reset();
            }}
          />
        ) : (
          <form onSubmit={submit} noValidate>
            <Stack>
              <Stack gap={4}>
                <Title order={1} size="h2">
                  Sign in to Roster
                </Title>
                <Text c="dimmed" size="sm">
                  Use the email and password of your account.
                </Text>
              </Stack>
              {notice && !mutation.isError ? (
                <Alert color="yellow" variant="light" role="status">
                  {notice}
                </Alert>
              ) : null}
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                data-autofocus
                autoFocus
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              {askOrganization ? (
                <TextInput
                  label="Organisation"
                  description="Your email is used in several organisations: give the short name (slug) of yours."
                  value={organization}
                  onChange={(e) => setOrganization(e.currentTarget.value)}
                  autoComplete="organization"
                />
              ) : null}
              <FormError error={mutation.error} />
              <Button type="submit" loading={mutation.isPending} disabled={!email || !password}>
                Sign in
              </Button>
              <Anchor component={Link} to="/forgot-password" size="sm">
                Forgot your password?
              </Anchor>
              {!askOrganization ? (
                <Anchor component="button" type="button" size="sm" onClick={() => setAskOrganization(true)}>
                  Sign in to a specific organisation
                </Anchor>
              ) : null}
            </Stack>
          </form>
        )}
      </Paper>
    </Center>
  );
}
