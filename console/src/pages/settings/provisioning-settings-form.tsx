import { Button, Card, Group, Radio, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { settingsKey, UpdateOrganizationSettings, type OrganizationSettings } from './settings-api';

/**
 * What the identity provider's SCIM writes do: whether a person it creates is invited (and activates by
 * accepting) or active at once, and whether `active: false` suspends (reversible) or deactivates (final).
 * Choosing "deactivate" is a security setting: the server asks for a recent sign-in (step-up).
 */
export function ProvisioningSettingsForm({
  organization,
}: {
  organization: OrganizationSettings['organization'];
}) {
  const queryClient = useQueryClient();
  const [invite, setInvite] = useState(organization.scimCreatesInvitations);
  const [deactivation, setDeactivation] = useState(organization.scimDeactivation);
  const save = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(UpdateOrganizationSettings, {
            input: { scimCreatesInvitations: invite, scimDeactivation: deactivation },
          })
        ).updateOrganizationSettings,
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      notifyDone('Provisioning settings are saved.');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="provisioning-settings-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id="provisioning-settings-title">
              Provisioning (SCIM)
            </Title>
            <Text c="dimmed" size="sm">
              What your identity provider’s changes do when it provisions people through a SCIM token (API
              credentials).
            </Text>
          </div>
          <Switch
            label="People the identity provider creates are invited"
            description="Off: they are active at once and get an email to set their password. On: they get an invitation and become active by accepting it."
            checked={invite}
            onChange={(e) => setInvite(e.currentTarget.checked)}
          />
          <Radio.Group
            label="When the identity provider disables someone"
            description="Their sessions end at once either way."
            value={deactivation}
            onChange={setDeactivation}
          >
            <Stack gap="xs" mt="xs">
              <Radio value="suspend" label="Suspend them (the identity provider can enable them again)" />
              <Radio value="deactivate" label="Deactivate them (final; their record and history stay)" />
            </Stack>
          </Radio.Group>
          <FormError error={save.error} />
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save provisioning settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
