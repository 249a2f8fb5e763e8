import { Button, Card, Group, NumberInput, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { fieldError, isFieldError } from '../../ui/field-errors';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { settingsKey, UpdateOrganizationSettings, type OrganizationSettings } from './settings-api';

type Organization = OrganizationSettings['organization'];

/** The organisation's whole-number settings, which these forms edit. */
export type NumberSetting =
  | 'invitationTtlDays'
  | 'sessionIdleMinutes'
  | 'sessionAbsoluteHours'
  | 'reauthenticationWindowMinutes'
  | 'sessionPrivilegedIdleMinutes'
  | 'sessionPrivilegedAbsoluteHours'
  | 'maxSessionsPerUser';

export interface NumberField {
  label: string;
  description: string;
  min: number;
  max: number;
}

/**
 * A card of whole-number organisation settings saved together (lifetimes, step-up and session limits).
 * An empty box keeps the stored value; the server checks the bounds (and rules between fields, such as
 * idle ≤ absolute) and its answer is shown beside the field it names.
 */
export function NumberSettingsForm<F extends NumberSetting>({
  organization,
  fields,
  id,
  title,
  intro,
  columns,
  saveLabel,
  saved,
}: {
  organization: Organization;
  /** The fields, in the order shown. */
  fields: Record<F, NumberField>;
  /** The heading's id (the card is labelled by it). */
  id: string;
  title: string;
  intro: string;
  columns: number;
  saveLabel: string;
  /** The confirmation once saved. */
  saved: string;
}) {
  const queryClient = useQueryClient();
  const keys = Object.keys(fields) as F[];
  const [values, setValues] = useState<Record<F, number | string>>(
    () => Object.fromEntries(keys.map((f) => [f, organization[f]])) as Record<F, number | string>,
  );
  const save = useMutation({
    mutationFn: async () => {
      const input: Partial<Record<F, number>> = {};
      for (const f of keys) {
        const v = values[f];
        if (v !== '') input[f] = Number(v);
      }
      return unwrapPayload((await request(UpdateOrganizationSettings, { input })).updateOrganizationSettings);
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      notifyDone(saved);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const error = (f: F) => fieldError(save.error, f)?.replace(`${f}: `, '');
  const set = (f: F) => (v: number | string) => setValues((old) => ({ ...old, [f]: v }));

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby={id}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id={id}>
              {title}
            </Title>
            <Text c="dimmed" size="sm">
              {intro}
            </Text>
          </div>
          <SimpleGrid cols={{ base: 1, md: columns }}>
            {keys.map((f) => (
              <NumberInput
                key={f}
                label={fields[f].label}
                description={fields[f].description}
                min={fields[f].min}
                max={fields[f].max}
                allowDecimal={false}
                clampBehavior="none"
                value={values[f]}
                onChange={set(f)}
                error={error(f)}
              />
            ))}
          </SimpleGrid>
          {isFieldError(save.error, keys) ? null : <FormError error={save.error} />}
          <Group>
            <Button type="submit" loading={save.isPending}>
              {saveLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
