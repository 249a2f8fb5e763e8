import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { gql, signInAs } from '../support/auth.js';
import { buildCostScenario, expected, type CostScenario } from '../support/cost-scenario.js';
import { createUser } from '../support/factories.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

/** A root department whose name a spreadsheet would run as a formula. */
const formulaName = '=1+2 Annex';

let rt: TestRuntime;
let app: RosterServer;
let sc: CostScenario;
let financeToken: string;
let financeId: string;
let viewerToken: string;
let slug: string;

beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
  sc = await buildCostScenario(rt, { annex: formulaName });
  const finance = await createUser(rt.services, sc.orgId, { role: 'finance' });
  financeId = finance.id;
  financeToken = (await signInAs(rt, app, finance)).accessToken;
  viewerToken = (await signInAs(rt, app, await createUser(rt.services, sc.orgId, { role: 'viewer' })))
    .accessToken;
  slug = (
    await rt.services.db
      .selectFrom('organizations')
      .select('slug')
      .where('id', '=', sc.orgId)
      .executeTakeFirstOrThrow()
  ).slug;
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

const figures = 'active suspended invited billable monthlyCost';
const reportQuery = `query($asOf: DateTime, $departmentId: ID) {
  costReport(asOf: $asOf, departmentId: $departmentId) {
    asOf
    departments {
      department { id name code archivedAt }
      namePath
      own { ${figures} }
      subtree { ${figures} }
      rate
      rateInheritedFrom { name }
      costCentre
      costCentreInheritedFrom { name }
    }
    costCentres { costCentre departmentCount figures { ${figures} } }
    totals { ${figures} }
  }
}`;

type Figures = { active: number; suspended: number; invited: number; billable: number; monthlyCost: number };
const tupleOf = (f: Figures) => [f.active, f.suspended, f.invited, f.billable, f.monthlyCost];

/** The hand-computed expectation with the Annex renamed. */
function expectedFor(key: keyof typeof expected) {
  const e = expected[key];
  return {
    departments: Object.fromEntries(
      Object.entries(e.departments).map(([path, v]) => [path === 'Annex' ? formulaName : path, v]),
    ),
    costCentres: e.costCentres,
    totals: e.totals,
  };
}

/** The parts of a `CostReport` response the figures are read from. */
interface ReportResponse {
  departments: { namePath: string[]; own: Figures; subtree: Figures }[];
  costCentres: { costCentre: string | null; departmentCount: number; figures: Figures }[];
  totals: Figures;
}

function shapeOf(report: ReportResponse) {
  return {
    departments: Object.fromEntries(
      report.departments.map((l) => [
        l.namePath.join(' / '),
        { own: tupleOf(l.own), subtree: tupleOf(l.subtree) },
      ]),
    ),
    costCentres: report.costCentres.map((c) => [c.costCentre, c.departmentCount, tupleOf(c.figures)]),
    totals: tupleOf(report.totals),
  };
}

const get = (url: string, token?: string) =>
  app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

async function exportEvents() {
  return rt.services.db
    .selectFrom('audit_events')
    .selectAll()
    .where('org_id', '=', sc.orgId)
    .where('action', '=', 'report.cost_exported')
    .orderBy('seq')
    .execute();
}

/** CSV body without the byte-order mark, as lines. */
const linesOf = (body: string) =>
  body
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\n');

describe('costReport over GraphQL', () => {
  it('gives the hand-computed figures as of a past date and now', async () => {
    const past = await gql(app, reportQuery, { asOf: '2026-03-10T12:00:00Z' }, financeToken);
    expect(past.body.errors).toBeUndefined();
    expect(past.body.data.costReport.asOf).toBe('2026-03-10T12:00:00.000Z');
    expect(shapeOf(past.body.data.costReport)).toEqual(expectedFor('2026-03-10'));

    const now = await gql(app, reportQuery, {}, financeToken);
    expect(shapeOf(now.body.data.costReport)).toEqual(expectedFor('now'));
    const division = now.body.data.costReport.departments.find(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (l: any) => l.department.id === sc.dept.division.id,
    );
    expect(division).toMatchObject({
      department: { name: 'Division', code: 'DIV', archivedAt: null },
      rate: 100,
      rateInheritedFrom: { name: 'Directorate' },
      costCentre: 'D-100',
      costCentreInheritedFrom: { name: 'Directorate' },
    });
  });

  it('narrows to a subtree', async () => {
    const r = await gql(
      app,
      reportQuery,
      { asOf: '2026-03-20T12:00:00Z', departmentId: sc.dept.unit.id },
      financeToken,
    );
    expect(shapeOf(r.body.data.costReport).departments).toEqual({
      'Directorate / Division / Unit': expected['2026-03-20'].departments['Directorate / Division / Unit'],
    });
  });

  it('is FORBIDDEN for a viewer, NOT_FOUND for an unknown department', async () => {
    const r = await gql(app, reportQuery, {}, viewerToken);
    expect(r.body.data).toBeNull();
    expect(r.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const missing = await gql(
      app,
      reportQuery,
      { departmentId: '00000000-0000-4000-8000-000000000000' },
      financeToken,
    );
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('GET /api/reports/cost.csv', () => {
  it('exports departments with name paths, own and subtree figures, formula cells neutralised, audited', async () => {
    const before = (await exportEvents()).length;
    const r = await get('/api/reports/cost.csv?asOf=2026-03-20T12:00:00Z&by=department', financeToken);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="cost-report-${slug}-2026-03-20-department.csv"`,
    );
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.startsWith('\uFEFF')).toBe(true);
    expect(linesOf(r.body)).toEqual([
      'department,code,cost_centre,cost_centre_inherited_from,active_seats,suspended_seats,invited,' +
        'billable_seats,rate,rate_inherited_from,monthly_cost,subtree_active_seats,subtree_suspended_seats,' +
        'subtree_invited,subtree_billable_seats,subtree_monthly_cost',
      `'=1+2 Annex,ANX,,,1,0,0,1,,,0.00,1,0,0,1,0.00`,
      'Directorate,DIR,D-100,,2,0,1,2,100.00,,200.00,7,1,2,8,720.00',
      'Directorate / Division,DIV,D-100,Directorate,1,0,0,1,100.00,Directorate,100.00,5,1,1,6,520.00',
      'Directorate / Division / Old Team,OLD,D-100,Directorate,1,0,0,1,100.00,Directorate,100.00,1,0,0,1,100.00',
      'Directorate / Division / Unit,UNIT,U-7,,3,1,1,4,80.00,,320.00,3,1,1,4,320.00',
    ]);
    expect(r.body).not.toMatch(/(^|,)[=+\-@]/m);

    const events = await exportEvents();
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({
      actor_id: financeId,
      target_type: 'organization',
      target_id: sc.orgId,
      reason: null,
      changes: { asOf: '2026-03-20T12:00:00.000Z', by: 'department' },
    });
  });

  it('exports per cost centre, now by default, audited with the effective asOf', async () => {
    const r = await get('/api/reports/cost.csv?by=cost_centre&asOf=', financeToken);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="cost-report-${slug}-2026-04-01-cost-centre.csv"`,
    );
    expect(linesOf(r.body)).toEqual([
      'cost_centre,departments,active_seats,suspended_seats,invited,billable_seats,monthly_cost',
      'D-100,2,4,0,1,4,400.00',
      'U-7,1,3,1,1,4,320.00',
      ',1,1,0,0,1,0.00',
    ]);
    expect((await exportEvents()).at(-1)?.changes).toEqual({
      asOf: rt.clock.now().toISOString(),
      by: 'cost_centre',
    });
  });

  it('answers 401 without a token, 403 for a viewer, 400 for bad parameters, recording nothing', async () => {
    const before = (await exportEvents()).length;
    const anonymous = await get('/api/reports/cost.csv');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    const viewer = await get('/api/reports/cost.csv?by=department', viewerToken);
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    for (const query of ['by=team', 'asOf=yesterday', 'format=xlsx']) {
      const bad = await get(`/api/reports/cost.csv?${query}`, financeToken);
      expect(bad.statusCode, query).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    }
    const missing = await get(
      '/api/reports/cost.csv?departmentId=00000000-0000-4000-8000-000000000000',
      financeToken,
    );
    expect(missing.statusCode).toBe(404);
    expect(await exportEvents()).toHaveLength(before);
  });
});
