import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCostScenario,
  expected,
  figuresByPath,
  scenarioTimes,
  tuple,
  type CostScenario,
} from '../../../test/support/cost-scenario.js';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { costReport, type CostReport } from './cost-report.js';
import { costRollup, type SeatCount } from './cost-rollup.js';
import { sql } from 'kysely';
import { seatCounts, seatCountsAtByJoin, seatCountsFromUsers, writeSeatCheckpoint } from './cost-seats.js';

let rt: TestRuntime;
let sc: CostScenario;
beforeAll(async () => {
  rt = await openTestRuntime();
  sc = await buildCostScenario(rt);
});
afterAll(async () => rt?.close());

const at = (iso: string) => new Date(iso);

function shape(r: CostReport) {
  return {
    departments: figuresByPath(r.departments),
    costCentres: r.costCentres.map((c) => [c.costCentre, c.departmentCount, tuple(c.figures)]),
    totals: tuple(r.totals),
  };
}

const sortSeats = (xs: SeatCount[]) =>
  [...xs].sort((a, b) => `${a.departmentId}${a.status}`.localeCompare(`${b.departmentId}${b.status}`));

describe(`costReport (${process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('as of 2026-03-10 counts the mover in Division, the suspendee and the leaver as active', async () => {
    const r = await costReport(sc.ctx, { asOf: at('2026-03-10T12:00:00Z') });
    expect(r.source).toBe('history');
    expect(r.asOf).toEqual(at('2026-03-10T12:00:00Z'));
    expect(shape(r)).toEqual(expected['2026-03-10']);
  });

  it('as of 2026-03-20 counts the mover in Unit, the suspension, not the deactivated leaver', async () => {
    const r = await costReport(sc.ctx, { asOf: at('2026-03-20T12:00:00Z') });
    expect(r.source).toBe('history');
    expect(shape(r)).toEqual(expected['2026-03-20']);
  });

  it('now (asOf absent) reads the current tables and hides the archived department without seats', async () => {
    const r = await costReport(sc.ctx);
    expect(r.source).toBe('current');
    expect(r.asOf).toEqual(at(scenarioTimes.now));
    expect(shape(r)).toEqual(expected.now);
    const later = await costReport(sc.ctx, { asOf: at('2027-01-01T00:00:00Z') });
    expect(later.source).toBe('current');
    expect(shape(later)).toEqual(expected.now);
  });

  it('counts a change from its instant on: half-open intervals at the move, suspension and deactivation', async () => {
    const at2 = async (asOf: Date) => {
      const r = await costReport(sc.ctx, { asOf });
      const own = (id: string) => tuple(r.departments.find((l) => l.department.id === id)!.own);
      return {
        directorate: own(sc.dept.directorate.id),
        division: own(sc.dept.division.id),
        unit: own(sc.dept.unit.id),
        totals: tuple(r.totals),
      };
    };
    const before = (iso: string) => new Date(at(iso).getTime() - 1);
    // The suspension: active until the instant before, suspended from the instant on, never both.
    expect(await at2(before(scenarioTimes.suspended))).toMatchObject({
      unit: [3, 0, 1, 3, 240],
      totals: [10, 0, 2, 10, 840],
    });
    expect(await at2(at(scenarioTimes.suspended))).toMatchObject({
      unit: [2, 1, 1, 3, 240],
      totals: [9, 1, 2, 10, 840],
    });
    // The move: in Division until the instant before, in Unit from the instant on, never in both.
    expect(await at2(before(scenarioTimes.moved))).toMatchObject({
      division: [2, 0, 0, 2, 200],
      unit: [2, 1, 1, 3, 240],
      totals: [9, 1, 2, 10, 840],
    });
    expect(await at2(at(scenarioTimes.moved))).toMatchObject({
      division: [1, 0, 0, 1, 100],
      unit: [3, 1, 1, 4, 320],
      totals: [9, 1, 2, 10, 820],
    });
    // The deactivation: the seat ends at the instant.
    expect(await at2(before(scenarioTimes.deactivated))).toMatchObject({
      directorate: [3, 0, 1, 3, 300],
      totals: [9, 1, 2, 10, 820],
    });
    expect(await at2(at(scenarioTimes.deactivated))).toMatchObject({
      directorate: [2, 0, 1, 2, 200],
      totals: [8, 1, 2, 9, 720],
    });
    // Before the invitations nobody holds a seat; the tree (today's) is listed with zeros.
    const empty = await costReport(sc.ctx, { asOf: at('2026-01-01T00:00:00Z') });
    expect(tuple(empty.totals)).toEqual([0, 0, 0, 0, 0]);
    expect(empty.departments.map((l) => l.namePath.at(-1))).toEqual([
      'Annex',
      'Directorate',
      'Division',
      'Unit',
    ]);
  });

  it('reports the inherited rate and cost centre and the department they come from', async () => {
    const r = await costReport(sc.ctx, { asOf: at('2026-03-10T12:00:00Z') });
    const line = (id: string) => r.departments.find((l) => l.department.id === id)!;
    expect(line(sc.dept.directorate.id)).toMatchObject({
      rate: 100,
      rateInheritedFrom: null,
      costCentre: 'D-100',
      costCentreInheritedFrom: null,
    });
    const division = line(sc.dept.division.id);
    expect(division).toMatchObject({ rate: 100, costCentre: 'D-100' });
    expect(division.rateInheritedFrom?.id).toBe(sc.dept.directorate.id);
    expect(division.costCentreInheritedFrom?.id).toBe(sc.dept.directorate.id);
    expect(line(sc.dept.oldTeam.id).rateInheritedFrom?.id).toBe(sc.dept.directorate.id);
    expect(line(sc.dept.unit.id)).toMatchObject({ rate: 80, rateInheritedFrom: null, costCentre: 'U-7' });
    expect(line(sc.dept.annex.id)).toMatchObject({ rate: null, costCentre: null });
  });

  it('narrows to a subtree with departmentId', async () => {
    const r = await costReport(sc.ctx, {
      asOf: at('2026-03-20T12:00:00Z'),
      departmentId: sc.dept.division.id,
    });
    expect(figuresByPath(r.departments)).toEqual({
      'Directorate / Division': expected['2026-03-20'].departments['Directorate / Division'],
      'Directorate / Division / Old Team':
        expected['2026-03-20'].departments['Directorate / Division / Old Team'],
      'Directorate / Division / Unit': expected['2026-03-20'].departments['Directorate / Division / Unit'],
    });
    expect(tuple(r.totals)).toEqual([5, 1, 1, 6, 520]);
    expect(r.costCentres.map((c) => [c.costCentre, tuple(c.figures)])).toEqual([
      ['D-100', [2, 0, 0, 2, 200]],
      ['U-7', [3, 1, 1, 4, 320]],
    ]);
    const now = await costReport(sc.ctx, { departmentId: sc.dept.unit.id });
    expect(figuresByPath(now.departments)).toEqual({
      'Directorate / Division / Unit': expected.now.departments['Directorate / Division / Unit'],
    });
  });

  const instantsOfInterest = () => {
    const times = [...Object.values(scenarioTimes).map((t) => new Date(t)), rt.clock.now()];
    return times.flatMap((t) => [new Date(t.getTime() - 1), t, new Date(t.getTime() + 1)]);
  };
  const ledgerAgreesWithHistories = async (label: string) => {
    for (const subtree of [null, sc.dept.division.path]) {
      for (const asOf of instantsOfInterest()) {
        const direct = await seatCountsAtByJoin(rt.services.db, sc.orgId, asOf, subtree);
        const ledger = await seatCounts(rt.services.db, sc.orgId, asOf, subtree);
        expect(sortSeats(ledger), `${label} ${asOf.toISOString()} ${subtree ?? 'all'}`).toEqual(
          sortSeats(direct),
        );
      }
      expect(sortSeats(await seatCounts(rt.services.db, sc.orgId, null, subtree)), `${label} now`).toEqual(
        sortSeats(await seatCountsFromUsers(rt.services.db, sc.orgId, subtree)),
      );
    }
  };

  it('reads from the seat ledger exactly what the histories say at every instant, and the users rows now', async () => {
    await ledgerAgreesWithHistories('trigger-written ledger');
    expect((await seatCountsFromUsers(rt.services.db, sc.orgId, null)).length).toBeGreaterThan(0);
  });

  it('gives the same seats through checkpoints before and after the instant, and after a rebuild', async () => {
    const db = rt.services.db;
    const ledgerRows = () =>
      db.selectFrom('seat_ledger').selectAll().where('org_id', '=', sc.orgId).execute();
    const before = await ledgerRows();
    expect(before.length).toBeGreaterThan(0);
    // Checkpoints between the scenario's changes: every instant is then read from the nearest one, in
    // either direction (added or subtracted events).
    for (const t of [scenarioTimes.suspended, scenarioTimes.moved]) {
      expect(await writeSeatCheckpoint(db, sc.orgId, new Date(new Date(t).getTime() + 1000))).toBeGreaterThan(
        0,
      );
    }
    await ledgerAgreesWithHistories('with checkpoints');
    // The same checkpoint again writes nothing.
    const again = new Date(new Date(scenarioTimes.moved).getTime() + 1000);
    expect(await writeSeatCheckpoint(db, sc.orgId, again)).toBe(0);
    // Rebuilt from the histories (what the migration runs): the same sums, a checkpoint at the instant.
    await sql`select rebuild_seat_ledger(${sc.orgId}::uuid, ${rt.clock.now()}::timestamptz)`.execute(db);
    const checkpoints = await db
      .selectFrom('seat_checkpoints')
      .select('at')
      .distinct()
      .where('org_id', '=', sc.orgId)
      .execute();
    expect(checkpoints.map((c) => new Date(c.at).getTime())).toEqual([rt.clock.now().getTime()]);
    await ledgerAgreesWithHistories('rebuilt');
    const sum = (rows: { seats: number }[]) => rows.reduce((n, r) => n + r.seats, 0);
    expect(sum(await ledgerRows())).toBe(sum(before));
  });

  it('reads through a checkpoint taken with the database clock (microseconds) exactly', async () => {
    const db = rt.services.db;
    // The migration checkpoints at the database's now(), which has microseconds.
    await sql`select rebuild_seat_ledger(${sc.orgId}::uuid, ${rt.clock.now()}::timestamptz + interval '1.234567 second')`.execute(
      db,
    );
    const [cp] = await db
      .selectFrom('seat_checkpoints')
      .select(sql<string>`to_char(at, 'US')`.as('us'))
      .where('org_id', '=', sc.orgId)
      .execute();
    expect(cp?.us).toBe('234567');
    await ledgerAgreesWithHistories('microsecond checkpoint');
  });

  it('gives the same report from the past instant after the last change as now', async () => {
    const now = rt.clock.now();
    const current = await costReport(sc.ctx);
    const history = await costReport(sc.ctx, { asOf: new Date(now.getTime() - 1) });
    expect(history.source).toBe('history');
    expect(shape(history)).toEqual(shape(current));
    const departments = await rt.services.db
      .selectFrom('departments')
      .selectAll()
      .where('org_id', '=', sc.orgId)
      .execute();
    expect(
      costRollup({ departments, seats: await seatCounts(rt.services.db, sc.orgId, null, null) }),
    ).toEqual(costRollup({ departments, seats: await seatCountsFromUsers(rt.services.db, sc.orgId, null) }));
  });

  it('requires costs:read; Finance holds it', async () => {
    const s = rt.services;
    const viewer = contextFor(s, await actorFor(s, await createUser(s, sc.orgId, { role: 'viewer' })));
    await expect(costReport(viewer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const manager = contextFor(s, await actorFor(s, await createUser(s, sc.orgId, { role: 'user_manager' })));
    await expect(costReport(manager)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // FORBIDDEN comes before input checks, so it does not reveal whether a department exists.
    await expect(costReport(viewer, { departmentId: 'nope' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const finance = contextFor(s, await actorFor(s, await createUser(s, sc.orgId, { role: 'finance' })));
    expect(tuple((await costReport(finance)).totals)).toEqual(expected.now.totals);
  });

  it('answers NOT_FOUND for an unknown or another organisation’s department, refuses unknown fields', async () => {
    await expect(costReport(sc.ctx, { departmentId: randomUUID() })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(costReport(sc.ctx, { departmentId: 'not-a-uuid' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const s = rt.services;
    const other = await createOrg(s);
    const otherCtx = contextFor(
      s,
      await actorFor(s, await createUser(s, other.id, { role: 'administrator' })),
    );
    await expect(costReport(otherCtx, { departmentId: sc.dept.division.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // The other organisation sees none of these seats.
    expect((await costReport(otherCtx)).departments).toEqual([]);
    await expect(
      costReport(sc.ctx, { byDepartment: true } as unknown as Parameters<typeof costReport>[1]),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
