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
import {
  WebAuthnAbortService,
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
} from '@simplewebauthn/browser';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/errors';
import { signInWithPasskey } from '../auth/passkey-sign-in';
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

  // Passkeys: a button for the browser's passkey prompt, and (where supported) conditional UI — the
  // passkeys this browser holds for Roster offered among the email field's suggestions.
  const passkeySupported = browserSupportsWebAuthn();
  const passkey = useMutation({
    mutationFn: (autofill: boolean) => signInWithPasskey({ autofill }),
    onSuccess: () => {
      queryClient.clear();
      navigate(next, { replace: true });
    },
  });
  const startPasskey = passkey.mutate;
  useEffect(() => {
    let live = true;
    void browserSupportsWebAuthnAutofill().then((ok) => {
      // An autofill ceremony that is cancelled (the button starts another) is no error worth showing.
      if (ok && live) startPasskey(true, { onError: () => undefined });
    });
    // Leaving the page ends a pending autofill request, so it cannot surface later on another page.
    return () => {
      live = false;
      WebAuthnAbortService.cancelCeremony();
    };
  }, [startPasskey]);
  const passkeyError =
    passkey.error instanceof ApiError && passkey.error.code !== 'PASSKEY_BROWSER' ? passkey.error : null;

  // A passkey sign-in started from the button navigates itself (like the password's); a pending autofill
  // request does not hold back the redirect of someone already signed in.
  const passkeyNavigating = passkey.isPending && passkey.variables === false;
  if (status === 'signedIn' && !mutation.isPending && !passkeyNavigating)
    return <Navigate to={next} replace />;

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
                autoComplete="username webauthn"
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
              {passkeySupported ? (
                <>
                  <Button
                    type="button"
                    variant="default"
                    onClick={() => passkey.mutate(false)}
                    loading={passkey.isPending && passkey.variables === false}
                  >
                    Sign in with a passkey
                  </Button>
                  <FormError
                    error={
                      passkeyError ?? (passkey.variables === false && passkey.error ? passkey.error : null)
                    }
                  />
                </>
              ) : null}
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
