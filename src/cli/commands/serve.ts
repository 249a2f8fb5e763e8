import { warmUpPasswordPolicy } from '../../domain/security/password-policy.js';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config.js';
import { buildHealthServer } from '../../api/http/health.js';
import { createMetrics } from '../../api/http/metrics.js';
import { buildServer } from '../../api/http/server.js';
import { bootstrapOrganization } from '../../domain/organizations/bootstrap-organization.js';
import { startWorker, stopWorker } from '../../jobs/worker.js';
import { createRuntime, type Runtime } from '../../runtime.js';

/** On the very first start (no organisation yet) create one with its owner and print the setup link once. */
async function firstStartBootstrap(runtime: Runtime): Promise<void> {
  const { services } = runtime;
  const any = await services.db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (any) return;
  const b = services.config.bootstrap;
  const r = await bootstrapOrganization(services, {
    name: b.orgName,
    slug: b.orgSlug,
    ownerEmail: b.ownerEmail,
  });
  process.stdout.write(
    `\nRoster created the organisation "${r.organization.name}" (slug ${r.organization.slug}) with owner ${b.ownerEmail}.\n` +
      `Set the owner's password with this one-time link (shown only now; valid 7 days):\n\n  ${r.setupLink}\n\n` +
      `Or through GraphQL: mutation { acceptInvitation(input: { token: "${r.setupToken}", password: "…" }) { userErrors { code } } }\n\n`,
  );
}

/**
 * The one plain line a person reads after start-up (stdout, before the logs that follow): where to go.
 * Addresses are PUBLIC_URL's, which links in emails use too.
 */
export function runningLine(config: Config): string {
  const base = config.publicUrl;
  if (config.processRole === 'worker') return `Roster's job worker is running; health at ${base}/healthz\n`;
  const graphiql = config.env === 'development' ? `; GraphiQL at ${base}/graphiql` : '';
  return `Roster is running at ${base}; console at ${base}/; GraphQL API at ${base}/graphql${graphiql}\n`;
}

/** Whole shutdown budget: in-flight requests and running jobs get 10 s, then the database is closed. */
const shutdownBudgetMs = 15_000;

/**
 * ROSTER_ROLE decides what this process does:
 * - all (default): GraphQL API and the job worker in one process (the only choice on PGlite, which one
 *   process owns);
 * - api: the API only; run at least one worker elsewhere, or nothing is ever scheduled;
 * - worker: the job worker only. It still listens on PORT, for /healthz, /readyz and /metrics only.
 * SIGTERM/SIGINT: /readyz turns 503, the listener stops accepting and in-flight requests finish, the
 * worker stops taking jobs and waits for running ones (bounded), then the database closes.
 */
export function registerServe(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('run the API and/or the job worker (ROSTER_ROLE = all | api | worker)')
    .action(async () => {
      const config = loadConfig();
      const runtime = await createRuntime(config);
      const { services } = runtime;
      const log = services.logger;
      let shuttingDown = false;
      await firstStartBootstrap(runtime);
      if (runtime.database.kind === 'pglite' && config.processRole !== 'all') {
        log.warn(
          { role: config.processRole },
          'the embedded database belongs to one process: with ROSTER_ROLE other than "all" part of Roster never runs',
        );
      }
      const metrics = createMetrics(services);
      const isReady = () => !shuttingDown;
      const app =
        config.processRole === 'worker'
          ? await buildHealthServer(services, { isReady, metrics })
          : await buildServer(services, { isReady, metrics });
      const worker =
        config.processRole === 'api'
          ? undefined
          : await startWorker(runtime, { onJobSettled: (e) => metrics.recordJob(e) });
      await app.listen({ host: config.host, port: config.port });
      process.stdout.write(runningLine(config));
      // The password lists load in ~0.4 s; paid now rather than by the first person who sets a password.
      if (config.processRole !== 'worker') setImmediate(warmUpPasswordPolicy);

      const shutdown = async (signal: string) => {
        if (shuttingDown) return;
        shuttingDown = true;
        log.info({ signal }, 'shutting down');
        const forced = setTimeout(() => {
          log.error('shutdown took too long; exiting');
          process.exit(1);
        }, shutdownBudgetMs);
        forced.unref();
        const results = await Promise.allSettled([
          app.close(),
          worker ? stopWorker(worker, 10_000) : Promise.resolve(),
        ]);
        for (const r of results)
          if (r.status === 'rejected') log.error({ err: r.reason }, 'shutdown step failed');
        await runtime.close();
        log.info('stopped');
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));
    });
}
