import { Button, Card, Group, NumberInput, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { fieldError, isFieldError } from '../../ui/field-errors';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { settingsKey, UpdateOrganizationSettings, type OrganizationSettings } from './settings-api';

/**
 * The organisation's password rules: a minimum length that can only raise NIST's floor (15 characters
 * when the password is the only factor, 8 with a second factor), and whether changing one's password
 * ends one's other sessions. The server checks the bounds.
 */
export function PasswordSettingsForm({
  organization,
}: {
  organization: OrganizationSettings['organization'];
}) {
  const queryClient = useQueryClient();
  const [minLength, setMinLength] = useState<number | string>(organization.minPasswordLength);
  const [endSessions, setEndSessions] = useState(organization.endSessionsOnPasswordChange);
  const save = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(UpdateOrganizationSettings, {
            input: {
              ...(minLength !== '' ? { minPasswordLength: Number(minLength) } : {}),
              endSessionsOnPasswordChange: endSessions,
            },
          })
        ).updateOrganizationSettings,
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      notifyDone('Password rules are saved.');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="password-rules-settings-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id="password-rules-settings-title">
              Passwords
            </Title>
            <Text c="dimmed" size="sm">
              No composition rules and no forced expiry (NIST SP 800-63B): length and the list of breached
              passwords do the work. New passwords follow these rules; existing ones keep working.
            </Text>
          </div>
          <NumberInput
            label="Minimum password length"
            description="8 to 64 characters. It only raises the floor: a password that is the only factor always needs at least 15."
            min={8}
            max={64}
            allowDecimal={false}
            clampBehavior="none"
            value={minLength}
            onChange={setMinLength}
            error={fieldError(save.error, 'minPasswordLength')?.replace('minPasswordLength: ', '')}
            maw={360}
          />
          <Switch
            label="Changing one’s password signs out one’s other sessions"
            description="The session the change is made from stays. A reset by emailed link always signs out every session."
            checked={endSessions}
            onChange={(e) => setEndSessions(e.currentTarget.checked)}
          />
          {isFieldError(save.error, ['minPasswordLength']) ? null : <FormError error={save.error} />}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save password rules
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
