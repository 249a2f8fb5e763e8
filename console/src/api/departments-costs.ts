import { graphql, type ResultOf } from '../graphql';
import { downloadFile } from './download';

const CostFiguresFields = graphql(`
  fragment CostFiguresFields on CostFigures {
    active
    suspended
    invited
    billable
    monthlyCost
  }
`);

export const CostReportQuery = graphql(
  `
    query CostReport($asOf: DateTime, $departmentId: ID) {
      costReport(asOf: $asOf, departmentId: $departmentId) {
        asOf
        totals {
          ...CostFiguresFields
        }
        departments {
          department {
            id
            name
            code
            archivedAt
          }
          namePath
          costCentre
          costCentreInheritedFrom {
            id
            name
          }
          rate
          rateInheritedFrom {
            id
            name
          }
          own {
            ...CostFiguresFields
          }
          subtree {
            ...CostFiguresFields
          }
        }
        costCentres {
          costCentre
          departmentCount
          figures {
            ...CostFiguresFields
          }
        }
      }
    }
  `,
  [CostFiguresFields],
);

export type CostReport = ResultOf<typeof CostReportQuery>['costReport'];
export type CostFigures = ResultOf<typeof CostFiguresFields>;
export type CostReportLine = CostReport['departments'][number];

export type CostCsvGrouping = 'department' | 'cost_centre';

/**
 * Downloads the cost report as CSV (GET /api/reports/cost.csv with the access token) and hands it to the
 * browser as a file. The server audits the export.
 */
export async function downloadCostCsv(options: {
  by: CostCsvGrouping;
  asOf: string | null;
  departmentId: string | null;
}): Promise<void> {
  const params = new URLSearchParams({ by: options.by });
  if (options.asOf) params.set('asOf', options.asOf);
  if (options.departmentId) params.set('departmentId', options.departmentId);
  await downloadFile(`/api/reports/cost.csv?${params.toString()}`, `cost-report-${options.by}.csv`);
}
