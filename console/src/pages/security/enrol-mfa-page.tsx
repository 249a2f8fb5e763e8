import { Alert, Button, Container, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { refreshSession, request } from '../../api/client';
import { setEnrolmentOnly } from '../../auth/enrolment';
import { useSignOut } from '../../auth/sign-out';
import { dateFormat } from '../../ui/dates';
import { usePageTitle } from '../../ui/page';
import { ErrorState, LoadingState } from '../../ui/states';
import { browserTimeZone } from '../../ui/time-zone';
import { EnrolmentMethods, NewRecoveryCodes } from './enrolment-methods';
import { MyMfaRequirementQuery, mfaRequirementKey } from './mfa-requirement-api';

/**
 * Where a person lands when their organisation requires a second factor and their grace period is over:
 * what is asked (any factor, or a passkey), the ways to set one up, and nothing else of the console — the
 * API refuses every other operation of this session. Once a factor is set up (here: the requirement is
 * read again at once; elsewhere: on coming back to the tab, or within a minute), a refresh of the session
 * returns an unrestricted one and the console opens.
 */
export function EnrolMfaPage() {
  usePageTitle('Set up a second factor');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const [stillRestricted, setStillRestricted] = useState(false);
  const [continuing, setContinuing] = useState(false);
  const [codes, setCodes] = useState<readonly string[] | null>(null);
  // An enrolment completed here refreshes this at once (the passkey and app sections invalidate
  // `mfaRequirementKey`); no polling for that. Another tab of this session, or another device of the
  // person, can complete one too: coming back to this tab reads it again, and while it is open, visible
  // and not yet satisfied, it is read once a minute.
  const requirement = useQuery({
    queryKey: mfaRequirementKey,
    queryFn: () => request(MyMfaRequirementQuery),
    refetchOnWindowFocus: 'always',
    refetchInterval: (q) => (q.state.data?.myMfaRequirement.satisfied ? false : 60_000),
  });
  const r = requirement.data?.myMfaRequirement;
  const dates = dateFormat(browserTimeZone(), navigator.language || undefined);

  const proceed = async () => {
    setContinuing(true);
    try {
      // The current access token stays restricted until it expires: trade it for one that is not.
      await refreshSession();
      const fresh = await request(MyMfaRequirementQuery);
      if (fresh.myMfaRequirement.restricted) {
        setStillRestricted(true);
        return;
      }
      setEnrolmentOnly(false);
      queryClient.clear();
      navigate('/', { replace: true });
    } finally {
      setContinuing(false);
    }
  };

  return (
    <Container size="sm" py="xl" component="main">
      <Stack gap="lg">
        <Stack gap={4}>
          <Title order={1} size="h2">
            Set up a second factor
          </Title>
          {r ? (
            <Text c="dimmed" size="sm">
              Signed in as <b>{r.email}</b>.
            </Text>
          ) : null}
        </Stack>
        {requirement.isPending ? (
          <LoadingState />
        ) : requirement.isError ? (
          <ErrorState error={requirement.error} onRetry={() => void requirement.refetch()} />
        ) : r ? (
          <>
            <Alert color={r.satisfied ? 'teal' : 'yellow'} variant="light" role="status">
              {r.satisfied
                ? 'Your second factor is set up. Continue to Roster.'
                : r.phishingResistant
                  ? `Your organisation requires a passkey for your role${r.dueAt ? ` since ${dates.dateTime(r.dueAt)}` : ''}. Add one below to continue; an authenticator app is not enough for this role.`
                  : `Your organisation requires a second factor for your role${r.dueAt ? ` since ${dates.dateTime(r.dueAt)}` : ''}. Set up an authenticator app or a passkey below to continue.`}
            </Alert>
            {codes ? <NewRecoveryCodes codes={codes} /> : null}
            {!r.satisfied ? (
              <EnrolmentMethods passkeyOnly={r.phishingResistant} onRecoveryCodes={setCodes} />
            ) : null}
            {stillRestricted ? (
              <Alert color="red" variant="light" role="alert">
                What is set up does not satisfy your organisation’s policy yet.
              </Alert>
            ) : null}
          </>
        ) : null}
        <Group>
          {r?.satisfied ? (
            <Button onClick={() => void proceed()} loading={continuing}>
              Continue to Roster
            </Button>
          ) : null}
          <Button variant="default" onClick={() => signOut.mutate()} loading={signOut.isPending}>
            Sign out
          </Button>
        </Group>
      </Stack>
    </Container>
  );
}
