import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCostScenario, scenarioTimes, type CostScenario } from '../../../test/support/cost-scenario.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { seatCounts, seatCountsAtByJoin } from './cost-seats.js';
import {
  checkpointDue,
  checkpointSeatLedgers,
  seatCheckpointPolicy,
  thinSeatCheckpoints,
} from './seat-checkpoints.js';
import { writeSeatCheckpoint } from './cost-seats.js';

let rt: TestRuntime;
let sc: CostScenario;
beforeAll(async () => {
  rt = await openTestRuntime();
  sc = await buildCostScenario(rt);
});
afterAll(async () => rt?.close());

const hours = (n: number) => n * 3_600_000;

describe('checkpointDue', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms);
  it('wants a checkpoint for the first events, for many events, or for any event after a day', () => {
    expect(checkpointDue({ lastCheckpointAt: null, eventsSinceCapped: 0 }, now)).toBe(false);
    expect(checkpointDue({ lastCheckpointAt: null, eventsSinceCapped: 1 }, now)).toBe(true);
    expect(checkpointDue({ lastCheckpointAt: ago(hours(1)), eventsSinceCapped: 4_999 }, now)).toBe(false);
    expect(checkpointDue({ lastCheckpointAt: ago(hours(1)), eventsSinceCapped: 5_000 }, now)).toBe(true);
    expect(checkpointDue({ lastCheckpointAt: ago(hours(24) - 1), eventsSinceCapped: 3 }, now)).toBe(false);
    expect(checkpointDue({ lastCheckpointAt: ago(hours(24)), eventsSinceCapped: 3 }, now)).toBe(true);
    expect(checkpointDue({ lastCheckpointAt: ago(hours(48)), eventsSinceCapped: 0 }, now)).toBe(false);
  });
});

describe(`checkpointSeatLedgers (${process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('checkpoints a settled instant once, and the seats read through it do not change', async () => {
    const db = rt.services.db;
    const checkpoints = async () =>
      (
        await db
          .selectFrom('seat_checkpoints')
          .select('at')
          .distinct()
          .where('org_id', '=', sc.orgId)
          .orderBy('at')
          .execute()
      ).map((r) => new Date(r.at).toISOString());
    const now = rt.clock.now();
    const first = await checkpointSeatLedgers(db, now);
    expect(first.checkpointed).toBeGreaterThanOrEqual(1);
    const settled = new Date(now.getTime() - seatCheckpointPolicy.settleMs).toISOString();
    expect(await checkpoints()).toEqual([settled]);
    // Nothing new since: no second checkpoint, neither now nor a day later.
    await checkpointSeatLedgers(db, now);
    await checkpointSeatLedgers(db, new Date(now.getTime() + hours(25)));
    expect(await checkpoints()).toEqual([settled]);
    for (const iso of [...Object.values(scenarioTimes), settled]) {
      const asOf = new Date(iso);
      expect(await seatCounts(db, sc.orgId, asOf, null), iso).toEqual(
        expect.arrayContaining(await seatCountsAtByJoin(db, sc.orgId, asOf, null)),
      );
      expect((await seatCounts(db, sc.orgId, asOf, null)).length, iso).toBe(
        (await seatCountsAtByJoin(db, sc.orgId, asOf, null)).length,
      );
    }
  });

  it('thins old checkpoints to the first of each month and still reads every instant right', async () => {
    const db = rt.services.db;
    const days = ['2026-02-10', '2026-02-20', '2026-03-01', '2026-03-13', '2026-03-17', '2026-03-26'];
    for (const d of days) await writeSeatCheckpoint(db, sc.orgId, new Date(`${d}T00:00:00Z`));
    const ats = async () =>
      (
        await db
          .selectFrom('seat_checkpoints')
          .select('at')
          .distinct()
          .where('org_id', '=', sc.orgId)
          .where('at', '<', new Date('2026-03-31T00:00:00Z'))
          .orderBy('at')
          .execute()
      ).map((r) => new Date(r.at).toISOString().slice(0, 10));
    expect(await ats()).toEqual(days);
    await thinSeatCheckpoints(db, sc.orgId, new Date('2026-03-15T00:00:00Z'));
    // Before the cut only the first of each month stays; after it, all.
    expect(await ats()).toEqual(['2026-02-10', '2026-03-01', '2026-03-17', '2026-03-26']);
    for (const iso of Object.values(scenarioTimes)) {
      const asOf = new Date(iso);
      const direct = await seatCountsAtByJoin(db, sc.orgId, asOf, null);
      const ledger = await seatCounts(db, sc.orgId, asOf, null);
      expect(ledger.length, iso).toBe(direct.length);
      expect(ledger, iso).toEqual(expect.arrayContaining(direct));
    }
  });
});
