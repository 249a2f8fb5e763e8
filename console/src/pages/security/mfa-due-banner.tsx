import { Alert, Anchor } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { request } from '../../api/client';
import { useDates } from '../../ui/dates';
import { MyMfaRequirementQuery, mfaRequirementKey } from './mfa-requirement-api';

/**
 * During the grace period of the organisation's MFA policy: a line above every page saying by when a
 * second factor must be set up, and where. Nothing when the policy asks nothing or is satisfied.
 */
export function MfaDueBanner() {
  const dates = useDates();
  const q = useQuery({
    queryKey: mfaRequirementKey,
    queryFn: () => request(MyMfaRequirementQuery),
    staleTime: 60_000,
  });
  const r = q.data?.myMfaRequirement;
  if (!r || !r.required || r.satisfied || r.enforced || !r.dueAt) return null;
  return (
    <Alert color="yellow" variant="light" role="status" mb="md" data-testid="mfa-due-banner">
      Your organisation requires {r.phishingResistant ? 'a passkey' : 'a second factor'} for your role. Set it
      up by {dates.dateTime(r.dueAt)} on{' '}
      <Anchor component={Link} to="/me/security" size="sm">
        My security
      </Anchor>
      ; after that, signing in will take you there first.
    </Alert>
  );
}
