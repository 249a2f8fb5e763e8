import { Button, Card, ColorInput, Group, NumberInput, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { fieldError, isFieldError } from '../../ui/field-errors';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { settingsKey, UpdateNotificationSettings, type NotificationSettings } from './settings-api';

const fields = ['brandColor', 'invitationReminderHours'] as const;

/** The emails' colour and when invitees are reminded; the server checks both. */
export function EmailForm({ settings }: { settings: NotificationSettings }) {
  const queryClient = useQueryClient();
  const [brandColor, setBrandColor] = useState(settings.brandColor);
  const [reminder, setReminder] = useState<number | string>(settings.invitationReminderHours);
  const save = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(UpdateNotificationSettings, {
            input: {
              brandColor: brandColor.trim(),
              ...(reminder === '' ? {} : { invitationReminderHours: Number(reminder) }),
            },
          })
        ).updateNotificationSettings,
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      notifyDone('Email settings are saved.');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const error = (f: (typeof fields)[number]) => fieldError(save.error, f)?.replace(`${f}: `, '');

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="email-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id="email-title">
              Emails
            </Title>
            <Text c="dimmed" size="sm">
              The colour of the emails Roster sends, and when people who have not accepted their invitation
              are reminded.
            </Text>
          </div>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <ColorInput
              label="Brand colour"
              description="As #rrggbb, e.g. #1c4e80."
              format="hex"
              withEyeDropper={false}
              fixOnBlur={false}
              value={brandColor}
              onChange={setBrandColor}
              error={error('brandColor')}
            />
            <NumberInput
              label="Remind invitees (hours before the link expires)"
              description="0 sends no reminder; at most 2,160 hours."
              min={0}
              max={2160}
              allowDecimal={false}
              clampBehavior="none"
              value={reminder}
              onChange={setReminder}
              error={error('invitationReminderHours')}
            />
          </SimpleGrid>
          {isFieldError(save.error, fields) ? null : <FormError error={save.error} />}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save email settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
