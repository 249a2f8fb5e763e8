import { neutraliseCsvCell } from '../audit/audit-export-format.js';
import {
  pathIds,
  type CostCentreLine,
  type CostFigures,
  type CostLine,
  type RollupDepartment,
} from './cost-rollup.js';

/** How the cost report looks as CSV. Pure functions only. */

export const costReportGroupings = ['department', 'cost_centre'] as const;
export type CostReportGrouping = (typeof costReportGroupings)[number];

/** The separator of a department's name path ("Directorate / Division / Unit"). */
export const namePathSeparator = ' / ';

/** Columns of `by=department`, in order (also the header row). */
export const departmentCsvColumns = [
  'department',
  'code',
  'cost_centre',
  'cost_centre_inherited_from',
  'active_seats',
  'suspended_seats',
  'invited',
  'billable_seats',
  'rate',
  'rate_inherited_from',
  'monthly_cost',
  'subtree_active_seats',
  'subtree_suspended_seats',
  'subtree_invited',
  'subtree_billable_seats',
  'subtree_monthly_cost',
] as const;

/** Columns of `by=cost_centre`, in order. An empty cost centre is the group without one. */
export const costCentreCsvColumns = [
  'cost_centre',
  'departments',
  'active_seats',
  'suspended_seats',
  'invited',
  'billable_seats',
  'monthly_cost',
] as const;

/** An amount with exactly 2 decimals, no grouping, '.' as the decimal point: "1234.50". */
export function moneyCell(amount: number): string {
  return amount.toFixed(2);
}

const seatCells = (f: CostFigures) => [f.active, f.suspended, f.invited, f.billable];

/** Every cell as text; text that could start a spreadsheet formula (names, codes, cost centres) neutralised. */
function cells(values: (string | number | null)[]): string[] {
  return values.map((v) => (v === null ? '' : typeof v === 'number' ? String(v) : neutraliseCsvCell(v)));
}

/** The name path of an ancestor the line inherits from: a prefix of the line's own name path. */
function ancestorNamePath<D extends RollupDepartment>(line: CostLine<D>, ancestor: D | null): string | null {
  if (!ancestor) return null;
  const at = pathIds(line.department.path).indexOf(ancestor.id);
  return line.namePath.slice(0, at + 1).join(namePathSeparator);
}

/** One record per department, named by its path of names ("Directorate / Division / Unit"). */
export function departmentCsvRecord<D extends RollupDepartment & { code: string | null }>(
  line: CostLine<D>,
): string[] {
  return cells([
    line.namePath.join(namePathSeparator),
    line.department.code,
    line.costCentre,
    ancestorNamePath(line, line.costCentreInheritedFrom),
    ...seatCells(line.own),
    line.rate === null ? null : moneyCell(line.rate),
    ancestorNamePath(line, line.rateInheritedFrom),
    moneyCell(line.own.monthlyCost),
    ...seatCells(line.subtree),
    moneyCell(line.subtree.monthlyCost),
  ]);
}

export function costCentreCsvRecord(line: CostCentreLine): string[] {
  return cells([
    line.costCentre,
    line.departmentCount,
    ...seatCells(line.figures),
    moneyCell(line.figures.monthlyCost),
  ]);
}

/** `cost-report-<org slug>-<YYYY-MM-DD of asOf, UTC>-<by>.csv`. Slugs are [a-z0-9-], safe in a header. */
export function costReportFilename(orgSlug: string, asOf: Date, by: CostReportGrouping): string {
  return `cost-report-${orgSlug}-${asOf.toISOString().slice(0, 10)}-${by.replace('_', '-')}.csv`;
}
