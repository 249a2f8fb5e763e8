import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Card,
  Grid,
  Group,
  List,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { request } from '../../api/client';
import { useViewerAccess } from '../../api/departments-access';
import {
  DepartmentDetailQuery,
  type DepartmentDetail,
  type TreeDepartment,
} from '../../api/departments-documents';
import { useDates } from '../../ui/dates';
import { IconPlus } from '../../ui/icons';
import { PageSkeleton } from '../../ui/page-skeleton';
import { Page } from '../../ui/page';
import { EmptyState, ErrorState } from '../../ui/states';
import { formatMoney } from '../costs/money';
import { DepartmentCostsCard } from './department-costs';
import { ManagersCard } from './department-managers';
import { DepartmentMembers } from './department-members';
import { DepartmentPermissionsCard } from './department-permissions';
import { Dialogs, type DepartmentDialog } from './departments-page';
import { Field } from './field';
import { IconArchive, IconArrowsMove, IconPencil } from './icons';
import { useDepartmentTree } from './use-departments';

export function DepartmentDetailPage() {
  const { id = '' } = useParams();
  const department = useQuery({
    queryKey: ['department', id, 'detail'],
    queryFn: async () => (await request(DepartmentDetailQuery, { id })).department,
  });
  if (department.isPending) return <PageSkeleton label="Loading the department…" />;
  if (department.isError) {
    return <ErrorState error={department.error} onRetry={() => void department.refetch()} />;
  }
  if (!department.data) {
    return (
      <Page title="Department not found">
        <EmptyState title="There is no such department in your organisation">
          <Anchor component={Link} to="/departments">
            Back to the departments
          </Anchor>
        </EmptyState>
      </Page>
    );
  }
  return <DepartmentView department={department.data} />;
}

/**
 * The rate or cost centre in force: the department's own, else the nearest ancestor's. A department manager
 * does not see the ancestors above the subtree they manage: then it may come from one of those (`hidden`).
 */
function inherited<K extends 'costCentre' | 'monthlyCostPerSeat'>(d: DepartmentDetail, key: K) {
  if (d[key] !== null) return { value: d[key], from: null, hidden: false };
  const from = [...d.ancestors].reverse().find((a) => a[key] !== null);
  return {
    value: from ? from[key] : null,
    from: from?.name ?? null,
    hidden: !from && d.ancestors.length < d.depth,
  };
}

function DepartmentView({ department: d }: { department: DepartmentDetail }) {
  const dates = useDates();
  const navigate = useNavigate();
  const access = useViewerAccess();
  const { tree } = useDepartmentTree();
  const [dialog, setDialog] = useState<DepartmentDialog | null>(null);
  // What the API says the viewer may do here (Department.viewerCan); an archived one is only looked at.
  const can = d.archivedAt ? null : d.viewerCan;
  const anyAction = !!can && (can.createChild || can.update || can.move || can.archive);
  const asTreeDepartment: TreeDepartment = {
    id: d.id,
    name: d.name,
    code: d.code,
    parentId: d.parentId,
    depth: d.depth,
    costCentre: d.costCentre,
    monthlyCostPerSeat: d.monthlyCostPerSeat,
    version: d.version,
  };
  const rate = inherited(d, 'monthlyCostPerSeat');
  const costCentre = inherited(d, 'costCentre');

  return (
    <Page
      title={d.name}
      description={
        <Group gap="xs" component="span">
          <span>
            {d.depth === 0
              ? 'Top level'
              : d.ancestors.length
                ? `In ${d.ancestors.map((a) => a.name).join(' › ')}`
                : 'Sub-department'}
          </span>
          {d.code ? (
            <Badge component="span" variant="outline" color="gray" tt="none">
              {d.code}
            </Badge>
          ) : null}
          {d.archivedAt ? (
            <Badge component="span" color="gray" variant="light">
              Archived {dates.date(d.archivedAt)}
            </Badge>
          ) : null}
          {access.managedDepartmentIds.has(d.id) ? (
            <Badge component="span" color="teal" variant="light" tt="none">
              You manage it
            </Badge>
          ) : null}
        </Group>
      }
    >
      <nav aria-label="Breadcrumb">
        <Breadcrumbs separator="›">
          <Anchor component={Link} to="/departments" size="sm">
            Departments
          </Anchor>
          {d.ancestors.map((a) => (
            <Anchor key={a.id} component={Link} to={`/departments/${a.id}`} size="sm">
              {a.name}
            </Anchor>
          ))}
          <Text size="sm" aria-current="page">
            {d.name}
          </Text>
        </Breadcrumbs>
      </nav>
      {can && anyAction && tree ? (
        <Group gap="xs" wrap="wrap" role="group" aria-label="Actions">
          {can.createChild ? (
            <Button
              variant="light"
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setDialog({ kind: 'create', parentId: d.id })}
            >
              New sub-department
            </Button>
          ) : null}
          {can.update ? (
            <Button
              variant="light"
              leftSection={<IconPencil size={16} aria-hidden />}
              onClick={() =>
                setDialog({
                  kind: 'edit',
                  department: asTreeDepartment,
                  description: d.description,
                  scimRole: d.scimRole,
                })
              }
            >
              Edit
            </Button>
          ) : null}
          {can.move ? (
            <Button
              variant="light"
              leftSection={<IconArrowsMove size={16} aria-hidden />}
              onClick={() => setDialog({ kind: 'move', department: asTreeDepartment })}
            >
              Move
            </Button>
          ) : null}
          {can.archive ? (
            <Button
              variant="light"
              color="red"
              leftSection={<IconArchive size={16} aria-hidden />}
              onClick={() => setDialog({ kind: 'archive', department: asTreeDepartment })}
            >
              Archive
            </Button>
          ) : null}
        </Group>
      ) : null}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="lg">
            <Card withBorder padding="lg" component="section" aria-labelledby="department-details-title">
              <Title order={2} size="h4" id="department-details-title" mb="sm">
                Details
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
                <Field label="Name">{d.name}</Field>
                <Field label="Code">{d.code ?? '—'}</Field>
                <Field label="Cost centre">
                  {costCentre.value ?? (costCentre.hidden ? 'Inherited (not visible to you)' : 'None')}
                  {costCentre.from ? ` (inherited from ${costCentre.from})` : ''}
                </Field>
                <Field label="Monthly cost per seat">
                  {rate.value !== null
                    ? formatMoney(rate.value)
                    : rate.hidden
                      ? 'Inherited (not visible to you)'
                      : 'None'}
                  {rate.from ? ` (inherited from ${rate.from})` : ''}
                </Field>
                <Field label="Members">
                  {d.directMembers} direct, {d.subtreeMembers} with sub-departments
                </Field>
                <Field label="Created">{dates.dateTime(d.createdAt)}</Field>
              </SimpleGrid>
              {d.description ? (
                <Text size="sm" mt="sm">
                  {d.description}
                </Text>
              ) : null}
            </Card>
            <DepartmentMembers
              departmentId={d.id}
              name={d.name}
              canAdd={d.viewerCan.placeMembers && !d.archivedAt}
            />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="lg">
            <ManagersCard
              department={d}
              canManage={!!can?.setManagers}
              canSeeUsers={access.anywhere('users:read')}
            />
            {access.orgWide('costs:read') ? <DepartmentCostsCard departmentId={d.id} /> : null}
            <DepartmentPermissionsCard department={d} canManage={!!can?.setPermissions} />
            <Card withBorder padding="lg" component="section" aria-labelledby="children-title">
              <Title order={2} size="h4" id="children-title" mb="sm">
                Sub-departments
              </Title>
              {d.children.length === 0 ? (
                <Text size="sm" c="dimmed">
                  None.
                </Text>
              ) : (
                <List spacing={4} size="sm" aria-labelledby="children-title">
                  {d.children.map((c) => (
                    <List.Item key={c.id}>
                      <Anchor component={Link} to={`/departments/${c.id}`} size="sm">
                        {c.name}
                      </Anchor>
                      {c.code ? (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          {c.code}
                        </Text>
                      ) : null}
                    </List.Item>
                  ))}
                </List>
              )}
            </Card>
          </Stack>
        </Grid.Col>
      </Grid>
      {tree && dialog ? (
        <Dialogs
          tree={tree}
          dialog={dialog}
          onClose={() => setDialog(null)}
          onCreated={(id) => void navigate(`/departments/${id}`)}
          onArchived={() => void navigate('/departments')}
        />
      ) : null}
    </Page>
  );
}
