import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { pruneSignInThrottle } from './prune-sign-in-throttle.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

it('forgets stale, unlocked sources and keeps recent or locked ones', async () => {
  const db = rt.services.db;
  const now = rt.clock.now();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const ahead = (ms: number) => new Date(now.getTime() + ms);
  await db
    .insertInto('sign_in_throttle')
    .values([
      { source: 'stale', failures: 3, window_start: ago(2 * 3_600_000), locked_until: null },
      { source: 'stale-lock-over', failures: 30, window_start: ago(2 * 3_600_000), locked_until: ago(1000) },
      {
        source: 'stale-but-locked',
        failures: 30,
        window_start: ago(2 * 3_600_000),
        locked_until: ahead(60_000),
      },
      { source: 'recent', failures: 2, window_start: ago(60_000), locked_until: null },
      // An attempt in flight holds a lease: its failure must still count against this row.
      {
        source: 'stale-attempt-in-flight',
        failures: 3,
        window_start: ago(2 * 3_600_000),
        locked_until: null,
        leases: { l1: now.getTime() + 30_000 },
      },
      {
        source: 'stale-lease-expired',
        failures: 3,
        window_start: ago(2 * 3_600_000),
        locked_until: null,
        leases: { l2: now.getTime() - 1 },
      },
    ])
    .execute();
  expect(await pruneSignInThrottle(db, now)).toBe(3);
  const left = await db.selectFrom('sign_in_throttle').select('source').orderBy('source').execute();
  expect(left.map((r) => r.source)).toEqual(['recent', 'stale-attempt-in-flight', 'stale-but-locked']);
});
