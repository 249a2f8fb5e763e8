import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import { seedTarget, seedUsers } from '../../domain/users/seed-users.js';
import { createRuntime } from '../../runtime.js';

function positiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`a whole number from 1 to ${max}`);
    return n;
  };
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('generate realistic demo/benchmark users (no passwords; one audit event per run)')
    .requiredOption('--users <n>', 'how many users to create', positiveInt(10_000_000))
    .option('--org <slug>', 'organisation (default: the first one created)')
    .option('--batch-size <n>', 'rows per insert statement (100 to 50000)', positiveInt(50_000), 20_000)
    .option('--seed <n>', 'random seed; the same seed gives the same users', positiveInt(2 ** 31), 20261127)
    .option('--force', 'allow seeding when NODE_ENV=production')
    .action(
      async (opts: { users: number; org?: string; batchSize: number; seed: number; force?: boolean }) => {
        const config = loadConfig();
        if (config.env === 'production' && !opts.force) {
          process.stderr.write(
            'roster: refusing to seed fake users in production (pass --force to insist)\n',
          );
          process.exitCode = 2;
          return;
        }
        const runtime = await createRuntime(config, { followRevocations: false });
        try {
          const org = await seedTarget(runtime.services, opts.org);
          process.stdout.write(`Seeding ${opts.users} users into "${org.name}" (${org.slug})...\n`);
          const r = await seedUsers(runtime.services, {
            orgId: org.id,
            count: opts.users,
            batchSize: opts.batchSize,
            seed: opts.seed,
          });
          process.stdout.write(
            `Inserted ${r.inserted} users${r.skipped ? ` (${r.skipped} skipped: email taken)` : ''} in ` +
              `${(r.milliseconds / 1000).toFixed(1)} s: ${r.rowsPerSecond} rows/s.\n`,
          );
        } finally {
          await runtime.close();
        }
      },
    );
}
