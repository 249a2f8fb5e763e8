import { Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { fieldError, isFieldError } from '../../ui/field-errors';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { settingsKey, UpdateOrganizationSettings, type OrganizationSettings } from './settings-api';

const fields = [
  'reauthenticationWindowMinutes',
  'sessionPrivilegedIdleMinutes',
  'sessionPrivilegedAbsoluteHours',
  'maxSessionsPerUser',
] as const;
type Field = (typeof fields)[number];

const inputs: Record<Field, { label: string; description: string; min: number; max: number }> = {
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
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<Field, number | string>>(() => ({
    reauthenticationWindowMinutes: organization.reauthenticationWindowMinutes,
    sessionPrivilegedIdleMinutes: organization.sessionPrivilegedIdleMinutes,
    sessionPrivilegedAbsoluteHours: organization.sessionPrivilegedAbsoluteHours,
    maxSessionsPerUser: organization.maxSessionsPerUser,
  }));
  const save = useMutation({
    mutationFn: async () => {
      const input: Partial<Record<Field, number>> = {};
      for (const f of fields) {
        const v = values[f];
        // An empty box keeps the stored value; anything else goes to the server, which checks it.
        if (v !== '') input[f] = Number(v);
      }
      return unwrapPayload((await request(UpdateOrganizationSettings, { input })).updateOrganizationSettings);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      notifyDone('Identity confirmation and session limits are saved.');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const error = (f: Field) => fieldError(save.error, f)?.replace(`${f}: `, '');
  const set = (f: Field) => (v: number | string) => setValues((old) => ({ ...old, [f]: v }));

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="step-up-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id="step-up-title">
              Identity confirmation and session limits
            </Title>
            <Text c="dimmed" size="sm">
              Changing these asks you to confirm your password if your sign-in is not recent.
            </Text>
          </div>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {fields.map((f) => (
              <NumberInput
                key={f}
                label={inputs[f].label}
                description={inputs[f].description}
                min={inputs[f].min}
                max={inputs[f].max}
                allowDecimal={false}
                clampBehavior="none"
                value={values[f]}
                onChange={set(f)}
                error={error(f)}
              />
            ))}
          </SimpleGrid>
          {isFieldError(save.error, fields) ? null : <FormError error={save.error} />}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save identity confirmation and limits
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
