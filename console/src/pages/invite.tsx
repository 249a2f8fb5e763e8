import {
  Alert,
  Anchor,
  Button,
  Card,
  CopyButton,
  Grid,
  Group,
  List,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { request } from '../api/client';
import { ApiError, unwrapPayload } from '../api/errors';
import { ResendInvitation } from '../api/users';
import { useDepartmentOptions } from '../api/departments';
import { useRoles } from '../auth/viewer';
import { graphql, type ResultOf } from '../graphql';
import { useDates } from '../ui/dates';
import { Page } from '../ui/page';
import { browserTimeZone } from '../ui/time-zone';
import { TimeZoneSelect } from '../ui/time-zone-select';
import { FormError } from '../ui/states';
import type { RoleKey } from './users/users-view';
import { UserErrorFields } from '../api/user-errors';

const InviteUsers = graphql(
  `
    mutation InviteUsers($input: InviteUsersInput!) {
      inviteUsers(input: $input) {
        invitations {
          acceptLink
          user {
            id
            email
          }
          invitation {
            id
            expiresAt
          }
        }
        userErrors {
          ...UserErrorFields
        }
      }
    }
  `,
  [UserErrorFields],
);

type Issued = NonNullable<ResultOf<typeof InviteUsers>['inviteUsers']['invitations']>;

/** Emails separated by commas, semicolons, spaces or lines; duplicates dropped. */
export function parseEmails(text: string): { valid: string[]; invalid: string[] } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const unique = [...new Map(parts.map((p) => [p.toLowerCase(), p])).values()];
  const ok = (e: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e);
  return { valid: unique.filter(ok), invalid: unique.filter((e) => !ok(e)) };
}

export function InvitePage() {
  const roles = useRoles();
  const departments = useDepartmentOptions();
  const dates = useDates();
  const queryClient = useQueryClient();
  const [emails, setEmails] = useState('');
  const [role, setRole] = useState<RoleKey | null>('VIEWER');
  const [department, setDepartment] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [timeZone, setTimeZone] = useState<string | null>(browserTimeZone);
  const [days, setDays] = useState<number | string>(7);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [openedAt] = useState(() => Date.now());
  // After sending, focus moves to the result (read out by screen readers), not to <body>.
  const sentRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (issued) sentRef.current?.focus();
  }, [issued]);
  const parsed = parseEmails(emails);
  const grantable = (roles.data ?? []).filter((r) => r.viewerCanGrant);
  const daysValid = Number(days) >= 1 && Number(days) <= 90;
  const expires = new Date(openedAt + Number(days) * 86_400_000).toISOString();
  const ready =
    parsed.valid.length > 0 &&
    parsed.invalid.length === 0 &&
    parsed.valid.length <= 100 &&
    !!role &&
    daysValid;

  const invite = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(InviteUsers, {
            input: {
              invitations: parsed.valid.map((email) => ({
                email,
                role: role!,
                departmentId: department,
                timeZone,
                message: message.trim() || null,
                expiresInDays: Number(days),
              })),
            },
          })
        ).inviteUsers,
      ),
    onSuccess: (p) => {
      setIssued(p.invitations ?? []);
      setEmails('');
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      void queryClient.invalidateQueries({ queryKey: ['invitations'] });
    },
  });

  // The address already has a pending invitation the viewer may resend: the API names the user.
  const taken =
    invite.error instanceof ApiError
      ? invite.error.problems.find((p) => p.code === 'EMAIL_TAKEN' && p.userId)
      : undefined;
  const takenEmail = taken?.field
    ? parsed.valid[Number(/^invitations\.(\d+)\./.exec(taken.field)?.[1] ?? -1)]
    : undefined;
  const [resentTo, setResentTo] = useState<string | null>(null);
  const resend = useMutation({
    mutationFn: async ({ userId }: { userId: string; email: string }) =>
      unwrapPayload(
        (
          await request(ResendInvitation, {
            input: { userId, expiresInDays: Number(days), message: message.trim() || null },
          })
        ).resendInvitation,
      ),
    onSuccess: (_p, { email }) => {
      setResentTo(email);
      invite.reset();
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      void queryClient.invalidateQueries({ queryKey: ['invitations'] });
    },
  });
  const resentRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (resentTo) resentRef.current?.focus();
  }, [resentTo]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setResentTo(null);
    resend.reset();
    if (ready) invite.mutate();
  };

  return (
    <Page
      title="Invite people"
      description="Each person gets an email with a one-time link to set up their account."
    >
      {resentTo ? (
        <Alert ref={resentRef} tabIndex={-1} color="teal" variant="light" title="Invitation resent">
          <Text size="sm">
            A new invitation is on its way to {resentTo}; the previous link no longer works.
          </Text>
        </Alert>
      ) : null}
      {issued ? (
        <Alert
          ref={sentRef}
          tabIndex={-1}
          color="teal"
          variant="light"
          title={`${issued.length} invitation${issued.length === 1 ? '' : 's'} sent`}
        >
          <Stack gap="xs">
            <Text size="sm">
              The links are emailed now. Each is also shown here, once, if you need to pass it on another way.
            </Text>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Person</Table.Th>
                  <Table.Th scope="col">Link valid until</Table.Th>
                  <Table.Th scope="col">Link</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {issued.map((i) => (
                  <Table.Tr key={i.invitation.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/users/${i.user.id}`}>
                        {i.user.email}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{dates.dateTime(i.invitation.expiresAt)}</Table.Td>
                    <Table.Td>
                      <CopyButton value={i.acceptLink}>
                        {({ copied, copy }) => (
                          <Button
                            size="xs"
                            variant="light"
                            onClick={copy}
                            aria-label={`Copy link for ${i.user.email}`}
                          >
                            {copied ? 'Copied' : 'Copy link'}
                          </Button>
                        )}
                      </CopyButton>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </Alert>
      ) : null}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card withBorder padding="lg">
            <form onSubmit={submit} noValidate>
              <Stack>
                <Textarea
                  label="Email addresses"
                  description="One or several (up to 100), separated by commas or new lines."
                  required
                  autosize
                  minRows={3}
                  value={emails}
                  onChange={(e) => setEmails(e.currentTarget.value)}
                  error={parsed.invalid.length ? `Not an email address: ${parsed.invalid.join(', ')}` : null}
                  data-autofocus
                  autoFocus
                />
                <Select
                  label="Role"
                  description="Only roles you may grant are listed."
                  required
                  data={grantable.map((r) => ({ value: r.key, label: r.name }))}
                  value={role}
                  onChange={(v) => setRole(v as RoleKey | null)}
                  allowDeselect={false}
                />
                {departments.data ? (
                  <Select
                    label="Department"
                    placeholder="No department"
                    data={departments.data}
                    value={department}
                    onChange={setDepartment}
                    searchable
                    clearable
                  />
                ) : null}
                <TimeZoneSelect
                  value={timeZone}
                  onChange={setTimeZone}
                  description="Dates and times are shown to them in this zone; they can change it."
                />
                <Textarea
                  label="Message"
                  description="Optional: a personal note in the email."
                  autosize
                  minRows={2}
                  maxLength={2000}
                  value={message}
                  onChange={(e) => setMessage(e.currentTarget.value)}
                />
                <NumberInput
                  label="Link valid for (days)"
                  min={1}
                  max={90}
                  value={days}
                  onChange={setDays}
                  error={daysValid ? null : 'From 1 to 90 days.'}
                />
                <FormError error={invite.error} />
                {taken?.userId ? (
                  <Group gap="sm">
                    <Text size="sm">
                      {takenEmail ?? 'This person'} has not accepted their invitation yet.
                    </Text>
                    <Button
                      variant="light"
                      loading={resend.isPending}
                      onClick={() => resend.mutate({ userId: taken.userId!, email: takenEmail ?? '' })}
                    >
                      Resend invitation
                    </Button>
                  </Group>
                ) : null}
                <FormError error={resend.error} />
                <Group>
                  <Button type="submit" loading={invite.isPending} disabled={!ready}>
                    {parsed.valid.length > 1 ? `Send ${parsed.valid.length} invitations` : 'Send invitation'}
                  </Button>
                </Group>
              </Stack>
            </form>
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card withBorder padding="lg" component="section" aria-labelledby="preview-title">
            <Title order={2} size="h4" id="preview-title" mb="sm">
              What will be sent
            </Title>
            {parsed.valid.length === 0 ? (
              <Text c="dimmed" size="sm">
                Enter at least one email address to see the invitations.
              </Text>
            ) : (
              <Stack gap="xs">
                <Text size="sm">
                  {parsed.valid.length} email{parsed.valid.length === 1 ? '' : 's'} inviting to join as{' '}
                  <b>{grantable.find((r) => r.key === role)?.name ?? '—'}</b>
                  {department ? (
                    <>
                      {' '}
                      in <b>{departments.data?.find((d) => d.value === department)?.label.trim()}</b>
                    </>
                  ) : null}
                  , with a link valid until <b>{daysValid ? dates.dateTime(expires) : '—'}</b>.
                </Text>
                <List size="sm" spacing={2}>
                  {parsed.valid.slice(0, 10).map((e) => (
                    <List.Item key={e}>{e}</List.Item>
                  ))}
                  {parsed.valid.length > 10 ? (
                    <List.Item>and {parsed.valid.length - 10} more</List.Item>
                  ) : null}
                </List>
                {message.trim() ? (
                  <Text size="sm" fs="italic">
                    “{message.trim()}”
                  </Text>
                ) : null}
              </Stack>
            )}
          </Card>
        </Grid.Col>
      </Grid>
    </Page>
  );
}
