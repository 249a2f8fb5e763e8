import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createUser } from '../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../test/support/test-runtime.js';
import type { ScheduledTask } from './scheduled-tasks.js';
import { startWorker, stopWorker, type JobSettled } from './worker.js';

let rt: TestRuntime;
// pg-boss's own schema, one per test file (and per test), dropped afterwards: on PostgreSQL the test
// database is shared by every test file.
const schemas: string[] = [];
const newSchema = () => {
  const name = `pgboss_t_${randomBytes(5).toString('hex')}`;
  schemas.push(name);
  return name;
};

beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => {
  for (const schema of schemas) await rt?.database.raw(`drop schema if exists ${schema} cascade`);
  await rt?.close();
});

/** Polls `check` every 100 ms until it holds or `ms` have passed. */
async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('job worker', () => {
  it('runs a job sent to the scheduled queue on the test database and reports it', async () => {
    const s = rt.services;
    const settled: JobSettled[] = [];
    const worker = await startWorker(rt, {
      schema: newSchema(),
      pollingIntervalSeconds: 0.5,
      onJobSettled: (e) => settled.push(e),
    });
    try {
      const schedules = await worker.boss.getSchedules();
      expect(schedules.map((x) => [x.name, x.cron]).sort()).toEqual([
        ['analyze-embedded-database', '41 * * * *'],
        ['checkpoint-audit-chains', '23 * * * *'],
        ['checkpoint-seat-ledgers', '*/10 * * * *'],
        ['deliver-outbox', '* * * * *'],
        ['end-due-suspensions', '* * * * *'],
        ['expire-invitations', '* * * * *'],
        ['prune-notices', '29 3 * * *'],
        ['prune-sign-in-throttle', '17 * * * *'],
        ['remind-invitations', '7 * * * *'],
      ]);

      const org = await createOrg(s);
      const user = await createUser(s, org.id, { status: 'suspended' });
      await s.db
        .updateTable('users')
        .set({ suspended_until: new Date(rt.clock.now().getTime() - 60_000), status_reason: 'x' })
        .where('id', '=', user.id)
        .execute();

      // Through the same queue the schedule feeds. The queue is 'stately': when the schedule's own job
      // is already waiting, send() returns null and that job does the work.
      const jobId = await worker.boss.send('end-due-suspensions', {});

      const reinstated = await eventually(async () => {
        const row = await s.db
          .selectFrom('users')
          .select('status')
          .where('id', '=', user.id)
          .executeTakeFirstOrThrow();
        return row.status === 'active';
      });
      expect(reinstated).toBe(true);
      const audit = await s.db
        .selectFrom('audit_events')
        .select(['action', 'actor_type', 'request_id'])
        .where('org_id', '=', org.id)
        .execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'user.suspension_ended', actor_type: 'system' });
      expect(audit[0]?.request_id).toMatch(/^job:[0-9a-f-]{36}$/);
      if (jobId) {
        expect(audit[0]?.request_id).toBe(`job:${jobId}`);
        const done = await eventually(
          async () => (await worker.boss.getJobById('end-due-suspensions', jobId))?.state === 'completed',
        );
        expect(done).toBe(true);
      }
      // Reported just after the task returns, which may be a moment after its commit.
      const reported = await eventually(async () =>
        settled.some((e) => e.job === 'end-due-suspensions' && e.outcome === 'completed'),
      );
      expect(reported).toBe(true);
    } finally {
      await stopWorker(worker, 2000);
    }
    // The database is left open for the caller to close.
    await expect(s.db.selectFrom('users').select('id').limit(1).execute()).resolves.toBeDefined();
  });

  it('on stop, lets a running job finish before returning, and then takes no more', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    let finished = 0;
    const slow: ScheduledTask = {
      name: 'slow-test-task',
      cron: '0 0 1 1 *',
      async run() {
        started += 1;
        await gate;
        finished += 1;
        return { done: 1 };
      },
    };
    const schema = newSchema();
    const worker = await startWorker(rt, { schema, pollingIntervalSeconds: 0.5, tasks: [slow] });
    const jobId = await worker.boss.send(slow.name, {});
    expect(jobId).toEqual(expect.any(String));
    expect(await eventually(async () => started === 1)).toBe(true);

    let stopped = false;
    const stopping = stopWorker(worker, 5000).then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 600));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(1);

    const job = await rt.database.raw(`select state from ${schema}.job where id = $1`, [jobId]);
    expect(job.rows[0]?.state).toBe('completed');
    await expect(worker.connection.executeSql('select 1')).rejects.toThrow('the job queue is stopped');
  });
});
