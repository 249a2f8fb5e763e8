import { NumberSettingsForm } from './number-settings-form';
import type { OrganizationSettings } from './settings-api';

const fields = {
  invitationTtlDays: {
    label: 'Invitation links expire after (days)',
    description: '1 to 90 days.',
    min: 1,
    max: 90,
  },
  sessionIdleMinutes: {
    label: 'Idle sessions end after (minutes)',
    description: '5 to 1,440 minutes without use.',
    min: 5,
    max: 1440,
  },
  sessionAbsoluteHours: {
    label: 'Sessions end after (hours)',
    description: '1 to 720 hours after sign-in, however active.',
    min: 1,
    max: 720,
  },
};

/** Invitation expiry and session lifetimes; the server checks the bounds and that idle ≤ absolute. */
export function LifetimesForm({ organization }: { organization: OrganizationSettings['organization'] }) {
  return (
    <NumberSettingsForm
      organization={organization}
      fields={fields}
      id="lifetimes-title"
      title="Invitations and sessions"
      intro="New invitation links and new sign-ins use these; links and sessions that exist keep theirs."
      columns={3}
      saveLabel="Save lifetimes"
      saved="Invitation and session lifetimes are saved."
    />
  );
}
