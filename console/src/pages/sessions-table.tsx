import { Badge, Button, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useDates } from '../ui/dates';
import { describeUserAgent } from '../ui/user-agent';
import { ScrollTable } from '../ui/scroll-table';

export interface SessionRow {
  id: string;
  current: boolean;
  userAgent: string | null;
  ip: string | null;
  authMethod: string;
  /** RFC 8176 `amr` values and the NIST assurance level (`acr`) of the session's authentication. */
  authenticationMethods: string[];
  assuranceLevel: string;
  authenticatedAt: string;
  createdAt: string;
  lastSeenAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  revokedAt: string | null;
}

const methodNames: Record<string, string> = {
  pwd: 'Password',
  otp: 'One-time code',
  hwk: 'Passkey',
  swk: 'Passkey',
  fed: 'Single sign-on',
};

/** "Password + One-time code" from the amr values (`mfa` and `user` only qualify the others). */
export function describeMethods(amr: readonly string[]): string {
  const names = [...new Set(amr.map((m) => methodNames[m]).filter((n): n is string => !!n))];
  return names.length > 0 ? names.join(' + ') : 'Unknown';
}

const levelNames: Record<string, string> = {
  aal1: 'AAL1 (one factor)',
  aal2: 'AAL2 (two factors)',
  aal3: 'AAL3 (hardware key)',
};

export function sessionIsLive(s: SessionRow, now = Date.now()): boolean {
  return (
    !s.revokedAt && new Date(s.idleExpiresAt).getTime() > now && new Date(s.absoluteExpiresAt).getTime() > now
  );
}

/** Sessions with their device, place and times; live ones can be ended when `onRevoke` is given. */
export function SessionsTable({
  sessions,
  onRevoke,
  revoking,
  caption,
  minWidth = 720,
}: {
  sessions: SessionRow[];
  /** Below this width the table scrolls sideways (a narrower one fits the user page's main column). */
  minWidth?: number;
  onRevoke?: (s: SessionRow) => void;
  revoking?: string | null;
  caption: string;
}) {
  const dates = useDates();
  return (
    <ScrollTable minWidth={minWidth} label={caption}>
      <Table striped highlightOnHover>
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Device</Table.Th>
            <Table.Th scope="col">Address</Table.Th>
            <Table.Th scope="col">Signed in</Table.Th>
            <Table.Th scope="col">Last seen</Table.Th>
            <Table.Th scope="col">State</Table.Th>
            {onRevoke ? (
              <Table.Th scope="col">
                <Text size="sm" fw={700} span>
                  Action
                </Text>
              </Table.Th>
            ) : null}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {sessions.map((s) => {
            const live = sessionIsLive(s);
            return (
              <Table.Tr key={s.id}>
                <Table.Td>
                  {describeUserAgent(s.userAgent)}{' '}
                  {s.current ? (
                    <Badge size="sm" color="teal" variant="light" miw="max-content">
                      This browser
                    </Badge>
                  ) : null}
                </Table.Td>
                <Table.Td>{s.ip ?? '—'}</Table.Td>
                <Table.Td>
                  <Stack gap={0} align="flex-start">
                    <Text size="sm" title={dates.dateTime(s.createdAt)}>
                      {dates.dateTime(s.createdAt)}
                    </Text>
                    {/* How the person proved who they are, and the assurance level it reached. */}
                    <Text
                      size="xs"
                      c="dimmed"
                      title={`${levelNames[s.assuranceLevel] ?? s.assuranceLevel}; identity last confirmed ${dates.dateTime(s.authenticatedAt)}`}
                    >
                      {describeMethods(s.authenticationMethods)} · {s.assuranceLevel.toUpperCase()}
                    </Text>
                  </Stack>
                </Table.Td>
                <Table.Td title={dates.dateTime(s.lastSeenAt)}>{dates.relative(s.lastSeenAt)}</Table.Td>
                <Table.Td>
                  {s.revokedAt ? (
                    <Stack gap={0} align="flex-start">
                      <Badge color="gray" variant="light" miw="max-content">
                        Ended
                      </Badge>
                      <Text size="xs" c="dimmed" title={dates.dateTime(s.revokedAt)}>
                        {dates.relative(s.revokedAt)}
                      </Text>
                    </Stack>
                  ) : live ? (
                    <Badge color="teal" variant="light" miw="max-content">
                      Active
                    </Badge>
                  ) : (
                    <Badge color="gray" variant="light" miw="max-content">
                      Expired
                    </Badge>
                  )}
                </Table.Td>
                {onRevoke ? (
                  <Table.Td>
                    {live && !s.current ? (
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        loading={revoking === s.id}
                        onClick={() => onRevoke(s)}
                      >
                        End session
                        <VisuallyHidden>
                          : {describeUserAgent(s.userAgent)}, {s.ip ?? 'unknown address'}
                        </VisuallyHidden>
                      </Button>
                    ) : null}
                  </Table.Td>
                ) : null}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
