import { Alert, Button, Card, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { request } from '../../api/client';
import { useViewerAccess } from '../../api/departments-access';
import { CostReportQuery, downloadCostCsv, type CostCsvGrouping } from '../../api/departments-costs';
import { useDates } from '../../ui/dates';
import { notifyDone } from '../../ui/notify';
import { Page } from '../../ui/page';
import { EmptyState, ErrorState, FormError, LoadingState } from '../../ui/states';
import { zonedToInstant } from '../../ui/time-zone';
import { IconDownload } from '../departments/icons';
import { departmentOptions } from '../departments/tree-model';
import { useDepartmentTree } from '../departments/use-departments';
import { CostCentreTable, CostTotals, DepartmentCostTable } from './cost-tables';

const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : null);

/** The instant a day ends in the viewer's time zone (the start of the next day). */
function endOfDay(value: string, timeZone: string): string | null {
  const next = new Date(`${value}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return zonedToInstant(next.toISOString().slice(0, 10), timeZone)?.toISOString() ?? null;
}

/**
 * Seats and monthly cost per department (tree order, own and with sub-departments) and per cost centre, as
 * of the end of a chosen day or now; exportable as CSV. The date and department are kept in the address.
 */
export function CostReportPage() {
  const dates = useDates();
  const access = useViewerAccess();
  const [params, setParams] = useSearchParams();
  const asOfDay = day(params.get('asOf'));
  const departmentId = params.get('department') || null;
  const asOf = asOfDay ? endOfDay(asOfDay, dates.timeZone) : null;
  const canPickDepartment = access.anywhere('departments:read');
  const { tree } = useDepartmentTree(canPickDepartment);

  const set = (name: string, value: string | null) =>
    setParams(
      () => {
        // From the address as it is now: a control may call back with a handler of an earlier render.
        const next = new URLSearchParams(window.location.search);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const report = useQuery({
    queryKey: ['costs', 'report', asOf, departmentId],
    queryFn: async () => (await request(CostReportQuery, { asOf, departmentId })).costReport,
    placeholderData: keepPreviousData,
  });
  const exportCsv = useMutation({
    mutationFn: (by: CostCsvGrouping) => downloadCostCsv({ by, asOf, departmentId }),
    onSuccess: () => notifyDone('The cost report is downloaded.'),
  });

  return (
    <Page
      title="Cost report"
      description="Seats and monthly cost per department and per cost centre. A user takes one seat, in their primary department; suspended users are billed, invited ones are not."
      actions={
        <>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            loading={exportCsv.isPending && exportCsv.variables === 'department'}
            onClick={() => exportCsv.mutate('department')}
          >
            Export CSV by department
          </Button>
          <Button
            variant="default"
            leftSection={<IconDownload size={16} aria-hidden />}
            loading={exportCsv.isPending && exportCsv.variables === 'cost_centre'}
            onClick={() => exportCsv.mutate('cost_centre')}
          >
            Export CSV by cost centre
          </Button>
        </>
      }
    >
      <Paper withBorder p="md" component="section" aria-label="Report options">
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
          <TextInput
            label="As of"
            description={`Seats at the end of this day (${dates.timeZone}). Empty: now.`}
            type="date"
            value={asOfDay ?? ''}
            onChange={(e) => set('asOf', e.currentTarget.value || null)}
          />
          {canPickDepartment ? (
            <Select
              label="Department"
              description="Narrow the report to a department and its sub-departments."
              placeholder="The whole organisation"
              data={tree ? departmentOptions(tree) : []}
              value={departmentId}
              onChange={(v) => set('department', v)}
              searchable
              clearable
              nothingFoundMessage="No such department"
            />
          ) : null}
        </SimpleGrid>
      </Paper>
      <FormError error={exportCsv.error} />
      {report.isPending ? (
        <LoadingState label="Computing the report…" />
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} />
      ) : (
        <Stack gap="lg" aria-busy={report.isFetching}>
          <Text size="sm" c="dimmed" aria-live="polite" data-testid="cost-report-as-of">
            {asOf ? 'Seats as of ' : 'Seats now, '}
            {dates.dateTime(report.data.asOf)}.
            {asOf ? ' Departments, rates and cost centres are today’s.' : ''}
          </Text>
          <CostTotals totals={report.data.totals} />
          <Card withBorder padding={0} component="section" aria-labelledby="cost-departments-title">
            <Title order={2} size="h4" id="cost-departments-title" p="lg" pb="sm">
              Per department
            </Title>
            {report.data.departments.length === 0 ? (
              <EmptyState title="No departments">Create departments to allocate seats and cost.</EmptyState>
            ) : (
              <DepartmentCostTable report={report.data} />
            )}
          </Card>
          <Card withBorder padding={0} component="section" aria-labelledby="cost-centres-title">
            <Title order={2} size="h4" id="cost-centres-title" p="lg" pb="sm">
              Per cost centre
            </Title>
            {report.data.costCentres.length === 0 ? (
              <EmptyState title="No cost centres" />
            ) : (
              <CostCentreTable report={report.data} />
            )}
          </Card>
          {report.data.totals.billable > 0 && report.data.totals.monthlyCost === 0 ? (
            <Alert color="blue" variant="light">
              No department has a monthly cost per seat yet: set one on a department (its sub-departments
              inherit it).
            </Alert>
          ) : null}
        </Stack>
      )}
    </Page>
  );
}
