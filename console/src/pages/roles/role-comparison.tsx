import {
  ActionIcon,
  Badge,
  Card,
  Checkbox,
  Group,
  Select,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { request } from '../../api/client';
import { CompareRoles } from '../../api/users';
import type { RoleInfo } from '../../auth/viewer';
import { IconArrowsSort, IconMinus } from '../../ui/icons';
import { ScrollTable } from '../../ui/scroll-table';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import type { RoleKey } from '../users/users-view';
import { IconCircleCheck, IconCircleMinus, IconCirclePlus } from '../departments/icons';

/** Green and red dark enough to read as text on white (WCAG AA), as in the change-role dialog. */
export const changeColour = { gained: '#1e6b30', lost: '#a61e1e', kept: undefined } as const;

export type Change = keyof typeof changeColour;

const changeIcon: Record<Change, ReactNode> = {
  gained: <IconCirclePlus size={16} aria-hidden />,
  lost: <IconCircleMinus size={16} aria-hidden />,
  kept: <IconCircleCheck size={16} aria-hidden />,
};

/** "Gained", "Lost", "Kept" with an icon and a colour: never the colour alone. */
export function ChangeLabel({ change }: { change: Change }) {
  return (
    <Group gap={4} wrap="nowrap" c={changeColour[change] ?? 'dimmed'}>
      {changeIcon[change]}
      <Text size="sm" fw={change === 'kept' ? 400 : 600} c={changeColour[change] ?? 'dimmed'}>
        {change === 'gained' ? 'Gained' : change === 'lost' ? 'Lost' : 'Kept'}
      </Text>
    </Group>
  );
}

function Holds({ yes }: { yes: boolean }) {
  return yes ? (
    <>
      <IconCircleCheck size={18} aria-hidden color="var(--mantine-color-gray-8)" />
      <VisuallyHidden>Yes</VisuallyHidden>
    </>
  ) : (
    <>
      <IconMinus size={18} aria-hidden color="var(--mantine-color-gray-5)" />
      <VisuallyHidden>No</VisuallyHidden>
    </>
  );
}

/** Two roles side by side: which permissions moving from the first to the second gains, loses and keeps. */
export function RoleComparison({
  roles,
  from,
  to,
  showKept,
  onChange,
}: {
  roles: readonly RoleInfo[];
  from: RoleKey | null;
  to: RoleKey | null;
  showKept: boolean;
  onChange: (patch: { from?: RoleKey | null; to?: RoleKey | null; showKept?: boolean }) => void;
}) {
  const options = roles.map((r) => ({ value: r.key, label: r.name }));
  const diff = useQuery({
    queryKey: ['roles', 'compare', from, to],
    queryFn: async () => (await request(CompareRoles, { from: from!, to: to! })).compareRoles,
    enabled: from !== null && to !== null,
  });
  const name = (key: RoleKey | null) => roles.find((r) => r.key === key)?.name ?? '';
  const rows: { change: Change; name: string; description: string }[] = diff.data
    ? [
        ...diff.data.gained.map((p) => ({ change: 'gained' as const, ...p })),
        ...diff.data.lost.map((p) => ({ change: 'lost' as const, ...p })),
        ...(showKept ? diff.data.kept.map((p) => ({ change: 'kept' as const, ...p })) : []),
      ]
    : [];

  return (
    <Card withBorder padding={0} component="section" aria-labelledby="compare-title">
      <Stack p="lg" pb="sm" gap="sm">
        <Title order={2} size="h4" id="compare-title">
          Compare two roles
        </Title>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <Select
            label="From role"
            placeholder="Choose a role"
            data={options}
            value={from}
            onChange={(v) => onChange({ from: v as RoleKey | null })}
            w={220}
          />
          <Tooltip label="Swap the roles">
            <ActionIcon
              variant="default"
              size="lg"
              aria-label="Swap the roles"
              disabled={!from && !to}
              onClick={() => onChange({ from: to, to: from })}
              mb={2}
            >
              <IconArrowsSort size={18} aria-hidden style={{ transform: 'rotate(90deg)' }} />
            </ActionIcon>
          </Tooltip>
          <Select
            label="To role"
            placeholder="Choose a role"
            data={options}
            value={to}
            onChange={(v) => onChange({ to: v as RoleKey | null })}
            w={220}
          />
          <Checkbox
            label="Show the permissions kept"
            checked={showKept}
            onChange={(e) => onChange({ showKept: e.currentTarget.checked })}
            mb={8}
          />
        </Group>
      </Stack>
      {from === null || to === null ? (
        <EmptyState title="Choose two roles">
          See what a person gains, loses and keeps moving between them.
        </EmptyState>
      ) : diff.isPending ? (
        <LoadingState label="Comparing the roles…" />
      ) : diff.isError ? (
        <ErrorState error={diff.error} onRetry={() => void diff.refetch()} />
      ) : (
        <>
          <Group gap="xs" px="lg" pb="sm" data-testid="role-comparison-summary">
            <Badge color="green" variant="light" leftSection={changeIcon.gained} tt="none">
              Gains {diff.data.gained.length}
            </Badge>
            <Badge color="red" variant="light" leftSection={changeIcon.lost} tt="none">
              Loses {diff.data.lost.length}
            </Badge>
            <Badge color="gray" variant="light" leftSection={changeIcon.kept} tt="none">
              Keeps {diff.data.kept.length}
            </Badge>
          </Group>
          {rows.length === 0 ? (
            <EmptyState title={from === to ? 'The same role' : 'No difference'}>
              {from === to ? 'Choose two different roles.' : 'Both roles grant exactly the same permissions.'}
            </EmptyState>
          ) : (
            <ScrollTable minWidth={640} label={`${name(from)} compared with ${name(to)}`}>
              <Table data-testid="role-comparison">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Permission</Table.Th>
                    <Table.Th scope="col" ta="center">
                      {name(from)}
                    </Table.Th>
                    <Table.Th scope="col" ta="center">
                      {name(to)}
                    </Table.Th>
                    <Table.Th scope="col">Change</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={r.name} data-change={r.change}>
                      <Table.Th scope="row" fw={400}>
                        <Text size="sm" c={changeColour[r.change]} fw={r.change === 'kept' ? 400 : 500}>
                          {r.description}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {r.name}
                        </Text>
                      </Table.Th>
                      <Table.Td ta="center">
                        <Holds yes={r.change !== 'gained'} />
                      </Table.Td>
                      <Table.Td ta="center">
                        <Holds yes={r.change !== 'lost'} />
                      </Table.Td>
                      <Table.Td>
                        <ChangeLabel change={r.change} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          )}
        </>
      )}
    </Card>
  );
}
