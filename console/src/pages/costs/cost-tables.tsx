import { Anchor, Paper, SimpleGrid, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { CostFigures, CostReport } from '../../api/departments-costs';
import { ScrollTable } from '../../ui/scroll-table';
import { formatCount, formatMoney } from './money';

/** The organisation's (or the chosen subtree's) totals. */
export function CostTotals({ totals }: { totals: CostFigures }) {
  const stats: [string, string, string?][] = [
    ['Monthly cost', formatMoney(totals.monthlyCost)],
    ['Billable seats', formatCount(totals.billable), 'active + suspended'],
    ['Active', formatCount(totals.active)],
    ['Suspended', formatCount(totals.suspended), 'keep their licence'],
    ['Invited', formatCount(totals.invited), 'not billed'],
  ];
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }} spacing="sm" component="dl" aria-label="Totals" m={0}>
      {stats.map(([label, value, hint]) => (
        <Paper key={label} withBorder p="sm">
          <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
            {label}
          </Text>
          <Text
            component="dd"
            size="xl"
            fw={700}
            m={0}
            data-testid={`total-${label.toLowerCase().replace(/\W+/g, '-')}`}
          >
            {value}
          </Text>
          {hint ? (
            <Text component="dd" size="xs" c="dimmed" m={0}>
              {hint}
            </Text>
          ) : null}
        </Paper>
      ))}
    </SimpleGrid>
  );
}

const num = { ta: 'right' as const, style: { fontVariantNumeric: 'tabular-nums' } };

/** Per department in tree order: its own seats and cost, and its subtree's. */
export function DepartmentCostTable({ report }: { report: CostReport }) {
  const top = Math.min(...report.departments.map((l) => l.namePath.length));
  return (
    <ScrollTable minWidth={980} label="Cost per department">
      <Table striped highlightOnHover withColumnBorders={false}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col" rowSpan={2}>
              Department
            </Table.Th>
            <Table.Th scope="col" rowSpan={2}>
              Cost centre
            </Table.Th>
            <Table.Th scope="col" rowSpan={2} {...num}>
              Rate per seat
            </Table.Th>
            <Table.Th scope="colgroup" colSpan={4} ta="center">
              Own
            </Table.Th>
            <Table.Th scope="colgroup" colSpan={2} ta="center">
              With sub-departments
            </Table.Th>
          </Table.Tr>
          <Table.Tr>
            <Table.Th scope="col" {...num}>
              Active
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Suspended
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Invited
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Monthly cost
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Billable
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Monthly cost
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.departments.map((l) => (
            <Table.Tr key={l.department.id}>
              <Table.Th
                scope="row"
                fw={400}
                style={{ paddingLeft: `calc(${l.namePath.length - top} * 18px + 10px)` }}
              >
                <Anchor component={Link} to={`/departments/${l.department.id}`} size="sm">
                  {l.department.name}
                </Anchor>
                {l.department.archivedAt ? (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (archived)
                  </Text>
                ) : null}
              </Table.Th>
              <Table.Td>
                {l.costCentre ?? '—'}
                {l.costCentreInheritedFrom ? (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    inherited
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td {...num}>
                {formatMoney(l.rate)}
                {l.rateInheritedFrom ? (
                  <Text span size="xs" c="dimmed" title={`Inherited from ${l.rateInheritedFrom.name}`}>
                    {' '}
                    inherited
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td {...num}>{formatCount(l.own.active)}</Table.Td>
              <Table.Td {...num}>{formatCount(l.own.suspended)}</Table.Td>
              <Table.Td {...num}>{formatCount(l.own.invited)}</Table.Td>
              <Table.Td {...num}>{formatMoney(l.own.monthlyCost)}</Table.Td>
              <Table.Td {...num}>{formatCount(l.subtree.billable)}</Table.Td>
              <Table.Td {...num} fw={500}>
                {formatMoney(l.subtree.monthlyCost)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

/** Per cost centre: the own figures of the departments whose cost centre (own or inherited) it is. */
export function CostCentreTable({ report }: { report: CostReport }) {
  return (
    <ScrollTable minWidth={720} label="Cost per cost centre">
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Cost centre</Table.Th>
            <Table.Th scope="col" {...num}>
              Departments
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Active
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Suspended
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Invited
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Billable
            </Table.Th>
            <Table.Th scope="col" {...num}>
              Monthly cost
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {report.costCentres.map((c) => (
            <Table.Tr key={c.costCentre ?? ''}>
              <Table.Th scope="row" fw={c.costCentre ? 500 : 400}>
                {c.costCentre ?? (
                  <Text span size="sm" c="dimmed">
                    No cost centre
                  </Text>
                )}
              </Table.Th>
              <Table.Td {...num}>{formatCount(c.departmentCount)}</Table.Td>
              <Table.Td {...num}>{formatCount(c.figures.active)}</Table.Td>
              <Table.Td {...num}>{formatCount(c.figures.suspended)}</Table.Td>
              <Table.Td {...num}>{formatCount(c.figures.invited)}</Table.Td>
              <Table.Td {...num}>{formatCount(c.figures.billable)}</Table.Td>
              <Table.Td {...num} fw={500}>
                {formatMoney(c.figures.monthlyCost)}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}
