import { Accordion, Badge, Card, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { titleCase, useRoles, type RoleInfo } from '../../auth/viewer';
import { Page } from '../../ui/page';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import type { RoleKey } from '../users/users-view';
import { RoleComparison } from './role-comparison';

/** A role's permissions grouped by what they act on: users, audit, investigations… */
function byResource(permissions: RoleInfo['permissions']) {
  const groups = new Map<string, RoleInfo['permissions'][number][]>();
  for (const p of permissions) {
    const resource = p.name.split(':')[0] ?? p.name;
    groups.set(resource, [...(groups.get(resource) ?? []), p]);
  }
  return [...groups.entries()];
}

function RolePermissions({ role }: { role: RoleInfo }) {
  return (
    <Stack gap="sm">
      <Text size="sm">{role.description}</Text>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
        {byResource(role.permissions).map(([resource, permissions]) => (
          <div key={resource}>
            <Text size="xs" fw={700} tt="uppercase" c="dimmed" id={`role-${role.key}-${resource}`}>
              {titleCase(resource)}
            </Text>
            <List spacing={2} size="sm" aria-labelledby={`role-${role.key}-${resource}`}>
              {permissions.map((p) => (
                <List.Item key={p.name}>
                  {p.description}{' '}
                  <Text span size="xs" c="dimmed">
                    ({p.name})
                  </Text>
                </List.Item>
              ))}
            </List>
          </div>
        ))}
      </SimpleGrid>
    </Stack>
  );
}

/** The predefined roles and what each grants; any two side by side. The choice is kept in the address. */
export function RolesPage() {
  const roles = useRoles();
  const [params, setParams] = useSearchParams();
  const keys = new Set((roles.data ?? []).map((r) => r.key));
  const pick = (name: string) => {
    const v = params.get(name);
    return v && keys.has(v as RoleKey) ? (v as RoleKey) : null;
  };
  const from = pick('from');
  const to = pick('to');
  const showKept = params.get('kept') !== '0';
  const change = (patch: { from?: RoleKey | null; to?: RoleKey | null; showKept?: boolean }) =>
    setParams(
      () => {
        // From the address as it is now: a control may call back with a handler of an earlier render.
        const next = new URLSearchParams(window.location.search);
        for (const name of ['from', 'to'] as const) {
          if (!(name in patch)) continue;
          const value = patch[name];
          if (value) next.set(name, value);
          else next.delete(name);
        }
        if (patch.showKept !== undefined) {
          if (patch.showKept) next.delete('kept');
          else next.set('kept', '0');
        }
        return next;
      },
      { replace: true },
    );

  return (
    <Page
      title="Roles"
      description="Each role grants exactly the permissions listed. Departments may add platform permissions for their members, and managers administer their departments’ users."
    >
      {roles.isPending ? (
        <LoadingState label="Loading the roles…" />
      ) : roles.isError ? (
        <ErrorState error={roles.error} onRetry={() => void roles.refetch()} />
      ) : roles.data.length === 0 ? (
        <EmptyState title="No roles to show">Seeing roles needs the roles:read permission.</EmptyState>
      ) : (
        <>
          <RoleComparison roles={roles.data} from={from} to={to} showKept={showKept} onChange={change} />
          <Card withBorder padding={0} component="section" aria-labelledby="catalogue-title">
            <Title order={2} size="h4" id="catalogue-title" p="lg" pb="sm">
              Catalogue
            </Title>
            <Accordion multiple variant="default" chevronPosition="left">
              {roles.data.map((r) => (
                <Accordion.Item key={r.key} value={r.key}>
                  <Accordion.Control>
                    <Group component="span" justify="space-between" wrap="wrap" gap="xs">
                      <Group component="span" gap="xs">
                        <Text component="span" fw={600}>
                          {r.name}
                        </Text>
                        <Text component="span" size="sm" c="dimmed">
                          {r.permissions.length} permission{r.permissions.length === 1 ? '' : 's'}
                        </Text>
                      </Group>
                      {r.viewerCanGrant ? (
                        <Badge component="span" variant="light" color="teal" tt="none">
                          You may grant it
                        </Badge>
                      ) : null}
                    </Group>
                  </Accordion.Control>
                  <Accordion.Panel>
                    <RolePermissions role={r} />
                  </Accordion.Panel>
                </Accordion.Item>
              ))}
            </Accordion>
          </Card>
        </>
      )}
    </Page>
  );
}
