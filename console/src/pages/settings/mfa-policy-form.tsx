import { Button, Card, Group, MultiSelect, NumberInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { useRoles } from '../../auth/viewer';
import { fieldError, isFieldError } from '../../ui/field-errors';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import {
  settingsKey,
  UpdateOrganizationSettings,
  type OrganizationSettings,
  type RoleKey,
} from './settings-api';

/**
 * Who must use a second factor: roles that must enrol one (an authenticator app or a passkey), roles that
 * must enrol a passkey (phishing-resistant), and how long someone newly covered may still sign in without.
 * After the grace period, signing in leads to enrolment and nothing else.
 */
export function MfaPolicyForm({ organization }: { organization: OrganizationSettings['organization'] }) {
  const queryClient = useQueryClient();
  const roles = useRoles();
  const roleOptions = (roles.data ?? []).map((r) => ({ value: r.key, label: r.name }));
  const [passkeyOnly, setPasskeyOnly] = useState<RoleKey[]>(organization.mfaPhishingResistantRoles);
  // The API lists phishing-resistant roles among the required ones; the form shows each role once.
  const [required, setRequired] = useState<RoleKey[]>(
    organization.mfaRequiredRoles.filter((r) => !organization.mfaPhishingResistantRoles.includes(r)),
  );
  const [grace, setGrace] = useState<number | string>(organization.mfaGracePeriodDays);
  const save = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(UpdateOrganizationSettings, {
            input: {
              mfaRequiredRoles: required,
              mfaPhishingResistantRoles: passkeyOnly,
              ...(grace !== '' ? { mfaGracePeriodDays: Number(grace) } : {}),
            },
          })
        ).updateOrganizationSettings,
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      notifyDone('The multi-factor policy is saved.');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="mfa-policy-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id="mfa-policy-title">
              Multi-factor authentication
            </Title>
            <Text c="dimmed" size="sm">
              People holding these roles must set up a second factor. Someone newly covered has the grace
              period to do it; after that, signing in takes them to setting one up, and they can do nothing
              else until they have.
            </Text>
          </div>
          <MultiSelect
            label="Roles that must use a second factor"
            description="An authenticator app (a six-digit code) or a passkey."
            placeholder={required.length === 0 ? 'No role' : undefined}
            data={roleOptions.filter((o) => !passkeyOnly.includes(o.value))}
            value={required}
            onChange={(v) => setRequired(v as RoleKey[])}
            error={fieldError(save.error, 'mfaRequiredRoles')}
            clearable
            clearButtonProps={{ 'aria-label': 'Clear the roles that must use a second factor' }}
          />
          <MultiSelect
            label="Roles that must use a passkey"
            description="Phishing-resistant: a code from an app can be phished, a passkey works only on this site. Recommended for owners and administrators."
            placeholder={passkeyOnly.length === 0 ? 'No role' : undefined}
            data={roleOptions}
            value={passkeyOnly}
            onChange={(v) => {
              setPasskeyOnly(v as RoleKey[]);
              setRequired((r) => r.filter((x) => !v.includes(x)));
            }}
            error={fieldError(save.error, 'mfaPhishingResistantRoles')}
            clearable
            clearButtonProps={{ 'aria-label': 'Clear the roles that must use a passkey' }}
          />
          <NumberInput
            label="Grace period (days)"
            description="0 to 90. Counted from when a role becomes covered, or from a person’s activation if later."
            min={0}
            max={90}
            allowDecimal={false}
            clampBehavior="none"
            value={grace}
            onChange={setGrace}
            error={fieldError(save.error, 'mfaGracePeriodDays')?.replace('mfaGracePeriodDays: ', '')}
            maw={360}
          />
          {isFieldError(save.error, [
            'mfaRequiredRoles',
            'mfaPhishingResistantRoles',
            'mfaGracePeriodDays',
          ]) ? null : (
            <FormError error={save.error} />
          )}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save the multi-factor policy
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
