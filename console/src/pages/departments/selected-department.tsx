import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { request } from '../../api/client';
import { DepartmentSummaryQuery, type TreeDepartment } from '../../api/departments-documents';
import { IconPlus } from '../../ui/icons';
import { ErrorState, LoadingState } from '../../ui/states';
import type { DepartmentDialog } from './departments-page';
import { IconArchive, IconArrowRight, IconArrowsMove, IconPencil } from './icons';
import { pathLabel, type Tree } from './tree-model';

/** The tree page's side panel: the selected department at a glance, and what the viewer may do with it. */
export function SelectedDepartment({
  tree,
  department,
  canSeeUsers,
  onDialog,
}: {
  tree: Tree<TreeDepartment>;
  department: TreeDepartment;
  canSeeUsers: boolean;
  onDialog: (dialog: DepartmentDialog) => void;
}) {
  // Moving through the tree with the arrow keys asks for the summary of where it stops, not of every step.
  const [id] = useDebouncedValue(department.id, 200);
  const summary = useQuery({
    queryKey: ['department', id, 'summary'],
    // Selecting another department keeps the card in place until its facts arrive.
    placeholderData: keepPreviousData,
    queryFn: async () => (await request(DepartmentSummaryQuery, { id })).department,
    // Selecting a department asks again (the cached answer shows meanwhile): members placed by someone
    // else since the last look must not stay hidden for the usual 15 s.
    staleTime: 0,
  });
  const s = summary.data?.id === department.id ? summary.data : null;
  const parentPath = department.parentId ? pathLabel(tree, department.parentId) : '';

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="selected-department-title">
      <Stack gap="sm">
        <div>
          <Group gap="xs">
            <Title order={2} size="h4" id="selected-department-title">
              {department.name}
            </Title>
            {department.code ? (
              <Badge variant="outline" color="gray" tt="none">
                {department.code}
              </Badge>
            ) : null}
          </Group>
          <Text size="sm" c="dimmed">
            {parentPath ? `In ${parentPath}` : 'Top level'}
          </Text>
        </div>
        {summary.isError ? (
          <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />
        ) : !s ? (
          <LoadingState />
        ) : (
          <>
            {s.description ? <Text size="sm">{s.description}</Text> : null}
            <Text size="sm">
              <strong>{s.directMembers}</strong> direct member{s.directMembers === 1 ? '' : 's'},{' '}
              <strong>{s.subtreeMembers}</strong> with its sub-departments
            </Text>
            <div>
              <Text size="sm" fw={500}>
                Managers
              </Text>
              {s.managers.length === 0 ? (
                <Text size="sm" c="dimmed">
                  None named.
                </Text>
              ) : (
                <Group gap="xs">
                  {s.managers.map((m) =>
                    canSeeUsers ? (
                      <Anchor key={m.id} component={Link} to={`/users/${m.id}`} size="sm">
                        {m.displayName || m.email}
                      </Anchor>
                    ) : (
                      <Text key={m.id} size="sm">
                        {m.displayName || m.email}
                      </Text>
                    ),
                  )}
                </Group>
              )}
            </div>
          </>
        )}
        <Group gap="xs" role="group" aria-label={`Actions on ${department.name}`}>
          <Button
            component={Link}
            to={`/departments/${department.id}`}
            rightSection={<IconArrowRight size={16} aria-hidden />}
          >
            Open
          </Button>
          {s ? (
            <>
              {s.viewerCan.createChild ? (
                <Button
                  variant="light"
                  leftSection={<IconPlus size={16} aria-hidden />}
                  onClick={() => onDialog({ kind: 'create', parentId: department.id })}
                >
                  New sub-department
                </Button>
              ) : null}
              {s.viewerCan.update ? (
                <Button
                  variant="light"
                  leftSection={<IconPencil size={16} aria-hidden />}
                  onClick={() =>
                    onDialog({ kind: 'edit', department, description: s.description, scimRole: s.scimRole })
                  }
                >
                  Edit
                </Button>
              ) : null}
              {s.viewerCan.move ? (
                <Button
                  variant="light"
                  leftSection={<IconArrowsMove size={16} aria-hidden />}
                  onClick={() => onDialog({ kind: 'move', department })}
                >
                  Move
                </Button>
              ) : null}
              {s.viewerCan.archive ? (
                <Button
                  variant="light"
                  color="red"
                  leftSection={<IconArchive size={16} aria-hidden />}
                  onClick={() => onDialog({ kind: 'archive', department })}
                >
                  Archive
                </Button>
              ) : null}
            </>
          ) : null}
        </Group>
      </Stack>
    </Card>
  );
}
