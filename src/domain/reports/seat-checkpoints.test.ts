import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCostScenario, scenarioTimes, type CostScenario } from '../../../test/support/cost-scenario.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { seatCounts, seatCountsAtByJoin } from './cost-seats.js';
import { checkpointDue, checkpointSeatLedgers, seatCheckpointPolicy } from './seat-checkpoints.js';

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
});
