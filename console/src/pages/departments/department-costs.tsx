import { Anchor, Card, Group, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { request } from '../../api/client';
import { CostReportQuery, type CostFigures } from '../../api/departments-costs';
import { ErrorState, LoadingState } from '../../ui/states';
import { formatCount, formatMoney } from '../costs/money';

const rows: [string, (f: CostFigures) => string][] = [
  ['Active', (f) => formatCount(f.active)],
  ['Suspended', (f) => formatCount(f.suspended)],
  ['Billable', (f) => formatCount(f.billable)],
  ['Invited', (f) => formatCount(f.invited)],
  ['Monthly cost', (f) => formatMoney(f.monthlyCost)],
];

/** Seats and monthly cost now, the department's own and with its sub-departments (needs `costs:read`). */
export function DepartmentCostsCard({ departmentId }: { departmentId: string }) {
  const report = useQuery({
    queryKey: ['costs', 'department', departmentId],
    queryFn: async () => (await request(CostReportQuery, { departmentId })).costReport,
  });
  const line = report.data?.departments.find((d) => d.department.id === departmentId);
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="department-costs-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="department-costs-title">
          Seats and cost
        </Title>
        <Anchor component={Link} to={`/costs?department=${departmentId}`} size="sm">
          Cost report
        </Anchor>
      </Group>
      {report.isPending ? (
        <LoadingState />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} />
      ) : !line ? (
        <Text size="sm" c="dimmed">
          No figures for this department.
        </Text>
      ) : (
        <>
          <Table withTableBorder={false} verticalSpacing={4} aria-labelledby="department-costs-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Seats now</Table.Th>
                <Table.Th scope="col" ta="right">
                  This department
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  With sub-departments
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(([label, value]) => (
                <Table.Tr key={label}>
                  <Table.Th scope="row" fw={400}>
                    {label}
                  </Table.Th>
                  <Table.Td ta="right">{value(line.own)}</Table.Td>
                  <Table.Td ta="right">{value(line.subtree)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Card>
  );
}
