import { Alert, Anchor, Card, List, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { request } from '../../api/client';
import { EffectivePermissionsQuery, type EffectivePermission } from '../../api/departments-permissions';
import { isForbidden } from '../../api/errors';
import { ScrollTable } from '../../ui/scroll-table';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';

type Source = EffectivePermission['sources'][number];
type DepartmentRef = { id: string; name: string };

const departmentLink = (d: DepartmentRef) => (
  <Anchor component={Link} to={`/departments/${d.id}`} inherit>
    {d.name}
  </Anchor>
);

/** One reason a permission is held, as a phrase: "Role Analyst", "Department X through Y (primary)". */
export function SourcePhrase({ source }: { source: Source }) {
  switch (source.kind) {
    case 'ROLE':
      return <>Role {source.role?.name ?? ''}</>;
    case 'DEPARTMENT': {
      const through = source.through && source.through.id !== source.department?.id ? source.through : null;
      return (
        <>
          Department {source.department ? departmentLink(source.department) : 'unknown'}
          {through ? <> through {departmentLink(through)}</> : null}
          {source.membership
            ? ` (${source.membership === 'PRIMARY' ? 'primary' : 'secondary'} membership)`
            : ''}
        </>
      );
    }
    case 'MANAGER':
      return <>Manager of {source.department ? departmentLink(source.department) : 'a department'}</>;
  }
}

export function ScopeText({ scope }: { scope: EffectivePermission['scope'] }): ReactNode {
  if (scope.kind === 'ORGANIZATION') return 'Whole organisation';
  return (
    <>
      {scope.departments.length === 1 ? 'Department ' : 'Departments '}
      {scope.departments.map((d, i) => (
        <span key={d.id}>
          {i > 0 ? ', ' : ''}
          {departmentLink(d)}
        </span>
      ))}{' '}
      and below
    </>
  );
}

/** The sources on one line: "Role Analyst · Department Fraud Unit (primary membership)". */
export function SourcesInline({ sources }: { sources: readonly Source[] }) {
  return (
    <>
      {sources.map((s, i) => (
        <span key={i}>
          {i > 0 ? ' · ' : ''}
          <SourcePhrase source={s} />
        </span>
      ))}
    </>
  );
}

export function SourceList({ sources }: { sources: readonly Source[] }) {
  if (sources.length === 1) {
    return (
      <Text size="sm" component="div">
        <SourcePhrase source={sources[0]!} />
      </Text>
    );
  }
  return (
    <List size="sm" spacing={0}>
      {sources.map((s, i) => (
        <List.Item key={i}>
          <SourcePhrase source={s} />
        </List.Item>
      ))}
    </List>
  );
}

/** Every permission the user holds, where it applies, and where it comes from (role, department, manager). */
/**
 * What the user's role and departments grant. `notInForce` says why none of it applies now (an account that
 * cannot sign in): the list is then shown as what would apply, under that explanation.
 */
export function EffectivePermissionsSection({
  userId,
  notInForce = null,
}: {
  userId: string;
  notInForce?: string | null;
}) {
  const permissions = useQuery({
    queryKey: ['user', userId, 'effective-permissions'],
    queryFn: async () => {
      try {
        return (await request(EffectivePermissionsQuery, { userId })).effectivePermissions;
      } catch (e) {
        if (isForbidden(e)) return null;
        throw e;
      }
    },
  });
  return (
    <Card withBorder padding={0} component="section" aria-labelledby="effective-permissions-title">
      <Title order={2} size="h4" id="effective-permissions-title" p="lg" pb="sm">
        Effective permissions
      </Title>
      {notInForce && permissions.data?.length ? (
        <div id="permissions-not-in-force">
          <Alert color="gray" variant="light" mx="lg" mb="sm" title="Not in force">
            {notInForce}
          </Alert>
        </div>
      ) : null}
      {permissions.isPending ? (
        <LoadingState />
      ) : permissions.isError ? (
        <ErrorState error={permissions.error} onRetry={() => void permissions.refetch()} />
      ) : permissions.data === null ? (
        <Text c="dimmed" p="lg" pt={0}>
          You may not see this user’s permissions.
        </Text>
      ) : permissions.data.length === 0 ? (
        <EmptyState title="No permissions" />
      ) : (
        <ScrollTable minWidth={560} label="Effective permissions">
          <Table
            striped
            data-testid="effective-permissions"
            aria-describedby={notInForce ? 'permissions-not-in-force' : undefined}
            c={notInForce ? 'dimmed' : undefined}
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Permission</Table.Th>
                <Table.Th scope="col">Where</Table.Th>
                <Table.Th scope="col">From</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {permissions.data.map((p) => (
                <Table.Tr key={p.permission.name}>
                  <Table.Th scope="row" fw={400}>
                    <Text size="sm" fw={500}>
                      {p.permission.description}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {p.permission.name}
                    </Text>
                  </Table.Th>
                  <Table.Td>
                    <Text size="sm" component="div">
                      <ScopeText scope={p.scope} />
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <SourceList sources={p.sources} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollTable>
      )}
    </Card>
  );
}
