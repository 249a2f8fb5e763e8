import type { DepartmentRow } from '../../../db/schema.js';
import { costReport, type CostReport } from '../../../domain/reports/cost-report.js';
import type { CostCentreLine, CostFigures, CostLine } from '../../../domain/reports/cost-rollup.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { DepartmentRef } from './department.js';

const CostFiguresRef = builder.objectRef<CostFigures>('CostFigures').implement({
  description:
    'Seats and monthly cost. A user takes one seat, in their primary department; billable = active + suspended.',
  fields: (t) => ({
    active: t.exposeInt('active'),
    suspended: t.exposeInt('suspended', { description: 'Suspended users keep their licence: billed.' }),
    invited: t.exposeInt('invited', { description: 'Counted, not billed.' }),
    billable: t.exposeInt('billable', { description: 'active + suspended' }),
    monthlyCost: t.exposeFloat('monthlyCost', {
      description: 'Billable seats x the rate in force, whole cents (2 decimals); no proration.',
    }),
  }),
});

const CostReportDepartmentRef = builder.objectRef<CostLine<DepartmentRow>>('CostReportDepartment').implement({
  description: 'A department’s seats and cost, its own and its subtree’s.',
  fields: (t) => ({
    department: t.field({ type: DepartmentRef, resolve: (l) => l.department }),
    namePath: t.stringList({
      description: 'Names from the root down to the department itself.',
      resolve: (l) => l.namePath,
    }),
    own: t.field({ type: CostFiguresRef, resolve: (l) => l.own }),
    subtree: t.field({
      type: CostFiguresRef,
      description: 'The department and its descendants, each at its own rate: the sum of their own lines.',
      resolve: (l) => l.subtree,
    }),
    rate: t.float({
      nullable: true,
      description: 'Effective monthly cost per seat (own or inherited); null when none on the path has one.',
      resolve: (l) => l.rate,
    }),
    rateInheritedFrom: t.field({
      type: DepartmentRef,
      nullable: true,
      description: 'The ancestor whose rate applies; null when the rate is the department’s own or none.',
      resolve: (l) => l.rateInheritedFrom,
    }),
    costCentre: t.string({ nullable: true, resolve: (l) => l.costCentre }),
    costCentreInheritedFrom: t.field({
      type: DepartmentRef,
      nullable: true,
      resolve: (l) => l.costCentreInheritedFrom,
    }),
  }),
});

const CostCentreCostRef = builder.objectRef<CostCentreLine>('CostCentreCost').implement({
  description: 'Sums of the own figures of the departments whose effective cost centre this is.',
  fields: (t) => ({
    costCentre: t.string({
      nullable: true,
      description: 'Null: departments without a cost centre, own or inherited.',
      resolve: (c) => c.costCentre,
    }),
    departmentCount: t.exposeInt('departmentCount'),
    figures: t.field({ type: CostFiguresRef, resolve: (c) => c.figures }),
  }),
});

const CostReportRef = builder.objectRef<CostReport>('CostReport').implement({
  description:
    'Seats and monthly cost per department and per cost centre as of an instant. Seats are as they were ' +
    'then; the tree, rates and cost centres are today’s (they have no history).',
  fields: (t) => ({
    asOf: t.field({ type: 'DateTime', resolve: (r) => r.asOf }),
    departments: t.field({
      type: [CostReportDepartmentRef],
      description:
        'Tree order, siblings by name. Archived departments only while their subtree holds a seat.',
      resolve: (r) => r.departments,
    }),
    costCentres: t.field({
      type: [CostCentreCostRef],
      description: 'By name, the group without a cost centre last.',
      resolve: (r) => r.costCentres,
    }),
    totals: t.field({ type: CostFiguresRef, resolve: (r) => r.totals }),
  }),
});

builder.queryFields((t) => ({
  costReport: t.field({
    type: CostReportRef,
    description:
      'The cost allocation report (requires `costs:read`). `asOf` defaults to now; `departmentId` narrows ' +
      'it to that subtree. CSV: GET /api/reports/cost.csv?asOf=&by=department|cost_centre.',
    args: { asOf: t.arg({ type: 'DateTime' }), departmentId: t.arg.id() },
    resolve: (_r, { asOf, departmentId }, ctx) =>
      costReport(commandContext(ctx), {
        asOf: asOf ?? null,
        departmentId: departmentId == null ? null : String(departmentId),
      }),
  }),
}));
