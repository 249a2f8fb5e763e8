import { NumberSettingsForm } from './number-settings-form';
import type { OrganizationSettings } from './settings-api';

const fields = {
  reauthenticationWindowMinutes: {
    label: 'Confirm identity for sensitive actions after (minutes)',
    description:
      '1 to 1,440. Role changes to or from administrative roles, deactivations, security settings and audit exports ask for the password again once the last sign-in is older.',
    min: 1,
    max: 1440,
  },
  sessionPrivilegedIdleMinutes: {
    label: 'Administrators: sign out after inactivity (minutes)',
    description: '5 to 1,440. Owners, administrators and security officers; never longer than everyone’s.',
    min: 5,
    max: 1440,
  },
  sessionPrivilegedAbsoluteHours: {
    label: 'Administrators: a sign-in lasts at most (hours)',
    description: '1 to 720 hours after sign-in; never longer than everyone’s.',
    min: 1,
    max: 720,
  },
  maxSessionsPerUser: {
    label: 'Sessions per person',
    description: '1 to 100. A new sign-in beyond it ends that person’s oldest session.',
    min: 1,
    max: 100,
  },
};

/** Step-up window, administrators' session lifetimes and the session limit (issue 12). */
export function StepUpSettingsForm({ organization }: { organization: OrganizationSettings['organization'] }) {
  return (
    <NumberSettingsForm
      organization={organization}
      fields={fields}
      id="step-up-title"
      title="Identity confirmation and session limits"
      intro="Changing these asks you to confirm your password if your sign-in is not recent."
      columns={2}
      saveLabel="Save identity confirmation and limits"
      saved="Identity confirmation and session limits are saved."
    />
  );
}
