import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { buildServer } from '../../api/http/server.js';
import { bootstrapOrganization } from '../../domain/organizations/bootstrap-organization.js';
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

export function registerServe(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('run the API and/or the job worker (ROSTER_ROLE = all | api | worker)')
    .action(async () => {
      const config = loadConfig();
      const runtime = await createRuntime(config);
      let shuttingDown = false;
      await firstStartBootstrap(runtime);
      const app = await buildServer(runtime.services, { isReady: () => !shuttingDown });
      if (config.processRole !== 'worker') {
        await app.listen({ host: config.host, port: config.port });
      }
      const shutdown = async (signal: string) => {
        if (shuttingDown) return;
        shuttingDown = true;
        runtime.services.logger.info({ signal }, 'shutting down');
        await app.close();
        await runtime.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));
    });
}
