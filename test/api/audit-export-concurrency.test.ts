import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type RosterServer } from '../../src/api/http/server.js';
import { runMutationMix } from '../support/mutation-mix.js';
import { openTestRuntime, type TestRuntime } from '../support/test-runtime.js';

// Issue 10, item 5: audit appends deadlocked on the organisation row (a foreign key's KEY SHARE lock
// against a tree change's FOR UPDATE, with the chain head held from the first append) when mutations ran
// beside the audit CSV export and the cost-report export; both exports answered 500. Duration:
// ROSTER_EXPORT_MIX_SECONDS (default 8).

const seconds = Number(process.env.ROSTER_EXPORT_MIX_SECONDS ?? 8);

let rt: TestRuntime;
let app: RosterServer;
beforeAll(async () => {
  rt = await openTestRuntime();
  app = await buildServer(rt.services, { logger: false });
});
afterAll(async () => {
  await app?.close();
  await rt?.close();
});

describe('mutations beside streaming exports', () => {
  it(
    '8 clients mutating while audit and cost-report exports stream: 0 INTERNAL, exports all 200, chain intact',
    async () => {
      const r = await runMutationMix(rt, app, {
        clients: 8,
        seconds,
        exporters: 2,
        ops: {
          createDepartment: 2,
          updateDepartment: 3,
          moveDepartment: 3,
          setUserDepartments: 3,
          setManagers: 2,
          orgSettings: 2,
          notificationSettings: 2,
          suspend: 3,
          reactivate: 3,
          updateProfile: 3,
          changeRole: 2,
        },
      });
      console.log(
        `export mix (${seconds} s, ${rt.backend}): ${JSON.stringify(r.tally)}; exports ok ${r.exports.ok}`,
      );
      expect(r.internal).toEqual([]);
      expect(r.exports.failed).toEqual([]);
      expect(r.exports.ok).toBeGreaterThan(0);
      expect(r.lostUpdates).toEqual([]);
      expect(r.chainDetail).toMatchObject({ ok: true });
    },
    (seconds + 120) * 1000,
  );
});
