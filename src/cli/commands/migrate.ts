import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openDatabase } from '../../db/database.js';
import { migrate } from '../../db/migrate.js';
import { defaultJobSchema, installJobSchema } from '../../jobs/queue.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (as DATABASE_MIGRATION_URL when set) and exit')
    .action(async () => {
      const config = loadConfig();
      // As the schema's owner when the roles are split; the runtime role is then granted its rights again.
      const database = await openDatabase({
        databaseUrl: config.databaseMigrationUrl ?? config.databaseUrl,
        dataDir: config.dataDir,
        poolSize: 2,
      });
      try {
        if (config.databaseRuntimeRole) await installJobSchema(database, defaultJobSchema);
        const applied = await migrate(database.db, {
          runtimeRole: config.databaseRuntimeRole,
          jobSchema: config.databaseRuntimeRole ? defaultJobSchema : undefined,
        });
        process.stdout.write(
          applied.length ? `applied: ${applied.join(', ')}\n` : 'the database is up to date\n',
        );
      } finally {
        await database.close();
      }
    });
}
