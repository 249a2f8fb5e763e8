import { Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { fieldError, isFieldError } from '../../ui/field-errors';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { settingsKey, UpdateOrganizationSettings, type OrganizationSettings } from './settings-api';

const fields = ['invitationTtlDays', 'sessionIdleMinutes', 'sessionAbsoluteHours'] as const;
type Field = (typeof fields)[number];

/** Invitation expiry and session lifetimes; the server checks the bounds and that idle ≤ absolute. */
export function LifetimesForm({ organization }: { organization: OrganizationSettings['organization'] }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Record<Field, number | string>>({
    invitationTtlDays: organization.invitationTtlDays,
    sessionIdleMinutes: organization.sessionIdleMinutes,
    sessionAbsoluteHours: organization.sessionAbsoluteHours,
  });
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
      notifyDone('Invitation and session lifetimes are saved.');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const error = (f: Field) => fieldError(save.error, f)?.replace(`${f}: `, '');
  const set = (f: Field) => (v: number | string) => setValues((old) => ({ ...old, [f]: v }));

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="lifetimes-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id="lifetimes-title">
              Invitations and sessions
            </Title>
            <Text c="dimmed" size="sm">
              New invitation links and new sign-ins use these; links and sessions that exist keep theirs.
            </Text>
          </div>
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <NumberInput
              label="Invitation links expire after (days)"
              description="1 to 90 days."
              min={1}
              max={90}
              allowDecimal={false}
              clampBehavior="none"
              value={values.invitationTtlDays}
              onChange={set('invitationTtlDays')}
              error={error('invitationTtlDays')}
            />
            <NumberInput
              label="Idle sessions end after (minutes)"
              description="5 to 1,440 minutes without use."
              min={5}
              max={1440}
              allowDecimal={false}
              clampBehavior="none"
              value={values.sessionIdleMinutes}
              onChange={set('sessionIdleMinutes')}
              error={error('sessionIdleMinutes')}
            />
            <NumberInput
              label="Sessions end after (hours)"
              description="1 to 720 hours after sign-in, however active."
              min={1}
              max={720}
              allowDecimal={false}
              clampBehavior="none"
              value={values.sessionAbsoluteHours}
              onChange={set('sessionAbsoluteHours')}
              error={error('sessionAbsoluteHours')}
            />
          </SimpleGrid>
          {isFieldError(save.error, fields) ? null : <FormError error={save.error} />}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save lifetimes
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
