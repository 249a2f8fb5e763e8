import { Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { request } from '../../api/client';
import { usePermissions } from '../../auth/viewer';
import { NoAccess } from '../../ui/no-access';
import { Page } from '../../ui/page';
import { ErrorState, LoadingState } from '../../ui/states';
import { AudienceForm } from './audience-form';
import { EmailForm } from './email-form';
import { LifetimesForm } from './lifetimes-form';
import { MfaPolicyForm } from './mfa-policy-form';
import { PasswordSettingsForm } from './password-settings-form';
import { ProvisioningSettingsForm } from './provisioning-settings-form';
import { StepUpSettingsForm } from './step-up-settings-form';
import { OrganizationSettingsQuery, settingsKey } from './settings-api';

/** Organisation settings, for those who may change them; every change is audited by the server. */
export function OrganizationSettingsPage() {
  const { can, ready } = usePermissions();
  if (!ready) return <LoadingState />;
  if (!can('organization:update')) return <NoAccess />;
  return <SettingsForms />;
}

function SettingsForms() {
  const settings = useQuery({ queryKey: settingsKey, queryFn: () => request(OrganizationSettingsQuery) });
  return (
    <Page
      title="Organisation settings"
      description="Lifetimes of invitations and sessions, security rules, what the identity provider’s provisioning does, who is told about changes, and the emails’ colour. Every change is recorded in the audit log."
    >
      {settings.isPending ? (
        <LoadingState />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
      ) : (
        // Keyed by the stored values: after a save the forms start again from what the server holds.
        <Stack gap="lg" key={JSON.stringify(settings.data)}>
          <LifetimesForm organization={settings.data.organization} />
          <PasswordSettingsForm organization={settings.data.organization} />
          <MfaPolicyForm organization={settings.data.organization} />
          <StepUpSettingsForm organization={settings.data.organization} />
          <ProvisioningSettingsForm organization={settings.data.organization} />
          <AudienceForm settings={settings.data.notificationSettings} />
          <EmailForm settings={settings.data.notificationSettings} />
        </Stack>
      )}
    </Page>
  );
}
