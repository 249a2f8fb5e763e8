import { Alert, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { request } from '../../api/client';
import { RoleChangePreviewQuery, type EffectivePermission } from '../../api/departments-permissions';
import { ErrorState, LoadingState } from '../../ui/states';
import type { RoleKey } from '../users/users-view';
import { IconCircleMinus, IconCirclePlus } from '../departments/icons';
import { changeColour } from './role-comparison';
import { SourcesInline } from './effective-permissions';

export function useRoleChangePreview(userId: string, role: RoleKey | null, enabled = true) {
  return useQuery({
    queryKey: ['user', userId, 'role-change-preview', role],
    queryFn: async () => (await request(RoleChangePreviewQuery, { userId, role: role! })).roleChangePreview,
    enabled: enabled && role !== null,
  });
}

function Permissions({
  title,
  change,
  icon,
  items,
  empty,
  testId,
}: {
  title: string;
  change: 'gained' | 'lost';
  icon: ReactNode;
  items: readonly EffectivePermission[];
  empty: string;
  testId: string;
}) {
  const colour = changeColour[change];
  return (
    <Stack gap={4} data-testid={testId}>
      <Title order={3} size="h5" c={colour}>
        {title}
      </Title>
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <List spacing={4} size="sm" icon={<Text c={colour}>{icon}</Text>}>
          {items.map((p) => (
            <List.Item key={p.permission.name}>
              <Text size="sm" c={colour} fw={500} span>
                {p.permission.description}
              </Text>{' '}
              <Text size="xs" c="dimmed" span>
                ({p.permission.name})
              </Text>
              <Text size="xs" c="dimmed" component="div">
                {change === 'gained' ? 'Would come from: ' : 'Comes from: '}
                <SourcesInline sources={p.sources} />
              </Text>
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

/**
 * What changing the user's role would change in their effective permissions — their departments and
 * managed departments unchanged — with where each permission comes from. Gained in green, lost in red, each
 * with an icon and a heading, never by colour alone.
 */
export function RoleChangePreviewDiff({ userId, role }: { userId: string; role: RoleKey }) {
  const preview = useRoleChangePreview(userId, role);
  if (preview.isPending) return <LoadingState label="Comparing the permissions…" />;
  if (preview.isError) return <ErrorState error={preview.error} />;
  const p = preview.data;
  const keptElsewhere = p.kept.filter((k) => !k.sources.some((s) => s.kind === 'ROLE'));
  return (
    <Stack gap="sm" data-testid="role-diff">
      {!p.viewerMayChange ? (
        <Alert color="yellow" variant="light">
          You may not make this change.
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Permissions
          title={`Gains ${p.gained.length}`}
          change="gained"
          icon={<IconCirclePlus size={14} aria-hidden />}
          items={p.gained}
          empty="Gains nothing."
          testId="role-diff-gained"
        />
        <Permissions
          title={`Loses ${p.lost.length}`}
          change="lost"
          icon={<IconCircleMinus size={14} aria-hidden />}
          items={p.lost}
          empty="Loses nothing."
          testId="role-diff-lost"
        />
      </SimpleGrid>
      <Text size="sm" c="dimmed">
        Keeps {p.kept.length} permission{p.kept.length === 1 ? '' : 's'}
        {keptElsewhere.length > 0
          ? `, ${keptElsewhere.length} of them through departments or management rather than the role: ${keptElsewhere
              .map((k) => k.permission.description)
              .join(', ')}.`
          : '.'}
      </Text>
      {p.lost.length > 0 ? (
        <Alert color="yellow" variant="light">
          Losing permissions ends the person’s sessions: they must sign in again.
        </Alert>
      ) : null}
    </Stack>
  );
}
