import { Badge, Button, Card, Group, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../api/client';
import { unwrapPayload } from '../api/errors';
import { meKey, roleName, useMe, useRoles, type Viewer } from '../auth/viewer';
import { graphql } from '../graphql';
import { useDates } from '../ui/dates';
import { Page } from '../ui/page';
import { FormError, LoadingState } from '../ui/states';
import { TimeZoneSelect } from '../ui/time-zone-select';
import { notifyDone } from '../ui/notify';
import { UserErrorFields } from '../api/user-errors';

export const UpdateUserProfile = graphql(
  `
    mutation UpdateUserProfile($input: UpdateUserProfileInput!) {
      updateUserProfile(input: $input) {
        user {
          id
          displayName
          jobTitle
          phone
          locale
          timeZone
          version
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

export function ProfilePage() {
  const me = useMe();
  const viewer = me.data?.viewer;
  return (
    <Page title="My profile" description="How you appear to colleagues, and how Roster shows you dates.">
      {viewer ? <ProfileForm key={viewer.version} viewer={viewer} /> : <LoadingState />}
    </Page>
  );
}

function ProfileForm({ viewer }: { viewer: Viewer }) {
  const queryClient = useQueryClient();
  const roles = useRoles();
  const dates = useDates();
  const [displayName, setDisplayName] = useState(viewer.displayName);
  const [jobTitle, setJobTitle] = useState(viewer.jobTitle ?? '');
  const [phone, setPhone] = useState(viewer.phone ?? '');
  const [locale, setLocale] = useState(viewer.locale ?? '');
  const [timeZone, setTimeZone] = useState<string | null>(viewer.timeZone ?? null);

  const save = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(UpdateUserProfile, {
            input: {
              userId: viewer.id,
              expectedVersion: viewer.version,
              displayName: displayName.trim(),
              jobTitle: jobTitle.trim() || null,
              phone: phone.trim() || null,
              locale: locale.trim() || null,
              timeZone: timeZone || null,
            },
          })
        ).updateUserProfile,
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      notifyDone('Your profile is saved.');
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
      <Card withBorder padding="lg">
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label="Email"
              value={viewer.email}
              readOnly
              description="Your email cannot be changed here."
            />
            <TextInput
              label="Name"
              required
              value={displayName}
              onChange={(e) => setDisplayName(e.currentTarget.value)}
              maxLength={200}
            />
            <TextInput
              label="Job title"
              value={jobTitle}
              onChange={(e) => setJobTitle(e.currentTarget.value)}
            />
            <TextInput
              label="Phone"
              type="tel"
              value={phone}
              onChange={(e) => setPhone(e.currentTarget.value)}
            />
            <TextInput
              label="Language"
              description="A language tag such as en-GB; it sets how dates and numbers are written."
              value={locale}
              onChange={(e) => setLocale(e.currentTarget.value)}
            />
            <TimeZoneSelect value={timeZone} onChange={setTimeZone} />
            <FormError error={save.error} />
            <Group>
              <Button type="submit" loading={save.isPending} disabled={!displayName.trim()}>
                Save profile
              </Button>
            </Group>
          </Stack>
        </form>
      </Card>
      <Card withBorder padding="lg">
        <Stack gap="sm">
          <Text fw={600}>Your account</Text>
          <Group gap="xs">
            <Text c="dimmed" size="sm">
              Role
            </Text>
            <Badge variant="light">{roleName(roles.data, viewer.role)}</Badge>
          </Group>
          <Text size="sm">
            <Text span c="dimmed">
              Last sign-in:{' '}
            </Text>
            {dates.dateTime(viewer.lastLoginAt)}
          </Text>
          <Text size="sm">
            <Text span c="dimmed">
              Dates are shown in:{' '}
            </Text>
            {dates.timeZone}
          </Text>
        </Stack>
      </Card>
    </SimpleGrid>
  );
}
