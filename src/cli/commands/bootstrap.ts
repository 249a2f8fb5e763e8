import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { bootstrapOrganization } from '../../domain/organizations/bootstrap-organization.js';
import { createRuntime } from '../../runtime.js';

export function registerBootstrap(program: Command): void {
  program
    .command('bootstrap')
    .description('create an organisation and its first owner; prints the owner’s one-time setup link')
    .requiredOption('--name <name>', 'organisation name')
    .requiredOption('--slug <slug>', 'organisation slug (lower-case letters, digits, dashes)')
    .requiredOption('--owner-email <email>', 'email of the first owner')
    .action(async (opts: { name: string; slug: string; ownerEmail: string }) => {
      const runtime = await createRuntime(loadConfig(), { followRevocations: false });
      try {
        const r = await bootstrapOrganization(runtime.services, {
          name: opts.name,
          slug: opts.slug,
          ownerEmail: opts.ownerEmail,
        });
        process.stdout.write(
          `Created organisation "${r.organization.name}" (${r.organization.slug}).\n` +
            `The owner sets a password with this one-time link:\n  ${r.setupLink}\n`,
        );
      } finally {
        await runtime.close();
      }
    });
}
