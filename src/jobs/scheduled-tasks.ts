import { sql } from 'kysely';
import { expireInvitations } from '../domain/invitations/expire-invitations.js';
import { remindInvitations } from '../domain/notifications/remind-invitations.js';
import type { RequestMeta, Services } from '../domain/shared/context.js';
import { deliverDueMessages } from '../domain/notifications/deliver-outbox.js';
import { fanOutNotices } from '../domain/notifications/fan-out-notices.js';
import { createEmailTransport } from '../email/create-transport.js';
import { endDueSuspensions } from '../domain/users/end-due-suspensions.js';
import { pruneNotices } from '../domain/notifications/prune-notices.js';
import { pruneSignInThrottle } from '../domain/security/prune-sign-in-throttle.js';
import { checkpointSeatLedgers } from '../domain/reports/seat-checkpoints.js';
import { createAuditCheckpoints } from '../domain/audit/audit-checkpoints.js';

/** Work the worker runs on a schedule; each is also a queue, so it can be sent once by hand. */
export interface ScheduledTask {
  /** pg-boss queue name. */
  name: string;
  /** Cron in UTC; pg-boss checks schedules with minute granularity. */
  cron: string;
  /** Runs the work; returns counts for the log. Throws when some of it failed, so the job is retried. */
  run(services: Services, now: Date, meta: RequestMeta): Promise<Record<string, number>>;
}

export const scheduledTasks: readonly ScheduledTask[] = [
  {
    // The safety net: the worker's delivery loop (delivery-loop.ts) runs every 2 s and on nudges; this
    // also delivers when a message was due while no loop ran, and shows up in the job metrics.
    name: 'deliver-outbox',
    cron: '* * * * *',
    async run(services, now) {
      const transport = createEmailTransport(services);
      try {
        // Also resumes fan-outs a dead process left half done (bounded per run; the next tick goes on).
        const fanned = await fanOutNotices(services, { maxBatches: 200 });
        return {
          fannedOut: fanned.recipients,
          ...(await deliverDueMessages(services, transport, { now })),
        };
      } finally {
        transport.close();
      }
    },
  },
  {
    name: 'end-due-suspensions',
    cron: '* * * * *',
    async run(services, now, meta) {
      const r = await endDueSuspensions(services, now, meta);
      // The others were reinstated; failing the job makes the failure visible (metrics, retries).
      if (r.failed > 0) throw new Error(`${r.failed} suspension(s) could not be ended`);
      return { ...r };
    },
  },
  {
    name: 'remind-invitations',
    cron: '7 * * * *',
    async run(services, now, meta) {
      const r = await remindInvitations(services, now, meta);
      if (r.failed > 0) throw new Error(`${r.failed} invitation reminder(s) could not be queued`);
      return { ...r };
    },
  },
  {
    name: 'expire-invitations',
    cron: '* * * * *',
    async run(services, now, meta) {
      return { ...(await expireInvitations(services, now, meta)) };
    },
  },
  {
    // PGlite has no autovacuum daemon: without fresh statistics the planner misjudges searches and counts.
    // On PostgreSQL autovacuum does this already.
    name: 'analyze-embedded-database',
    cron: '41 * * * *',
    async run(services) {
      if (services.config.databaseUrl) return { analyzed: 0 };
      await sql`analyze`.execute(services.db);
      return { analyzed: 1 };
    },
  },
  {
    // Keeps the cost report's seat counts a checkpoint plus a few events away (seat-checkpoints.ts).
    name: 'checkpoint-seat-ledgers',
    cron: '*/10 * * * *',
    async run(services, now) {
      return { ...(await checkpointSeatLedgers(services.db, now)) };
    },
  },
  {
    // Anchors every organisation's audit chain outside the database (audit-checkpoints.ts): a signed head
    // in AUDIT_CHECKPOINT_DIR and the log, written only when the head moved.
    name: 'checkpoint-audit-chains',
    cron: '23 * * * *',
    async run(services, now) {
      const r = await createAuditCheckpoints(services, { dir: services.config.auditCheckpointDir, now });
      // Failing the job makes a broken chain visible in the job metrics, beside the error in the log.
      if (r.refused > 0) throw new Error(`${r.refused} audit chain(s) do not verify: no checkpoint signed`);
      return { ...r };
    },
  },
  {
    name: 'prune-sign-in-throttle',
    cron: '17 * * * *',
    async run(services, now) {
      return { pruned: await pruneSignInThrottle(services.db, now) };
    },
  },
  {
    // Notices whose fan-out finished 30 days ago: the table keeps the size of recent activity.
    name: 'prune-notices',
    cron: '29 3 * * *',
    async run(services, now) {
      return { pruned: await pruneNotices(services.db, now) };
    },
  },
];
