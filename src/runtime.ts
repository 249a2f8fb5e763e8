import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createLogger } from './logging.js';
import { openDatabase, type Database } from './db/database.js';
import { sql } from 'kysely';
import { migrate } from './db/migrate.js';
import { defaultJobSchema, installJobSchema } from './jobs/queue.js';
import { systemClock, type Clock } from './domain/shared/clock.js';
import type { Services } from './domain/shared/context.js';
import { RevocationRegistry } from './domain/sessions/revocation-registry.js';

export interface Runtime {
  database: Database;
  services: Services;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  clock?: Clock;
  logger?: Logger;
  /** An already opened database (tests); opened from the configuration otherwise. */
  database?: Database;
  /** Skip loading and following revocations (one-shot CLI commands). */
  followRevocations?: boolean;
}

/** Opens the database, applies migrations and builds the services every command needs. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      poolSize: config.databasePoolSize,
      dataDir: config.dataDir,
    }));
  await migrateAtStart(config, database, logger, options.database !== undefined);
  // Remember revoked sessions for the life of an access token plus a minute of clock skew.
  const revocations = new RevocationRegistry(clock, (config.accessTokenTtlSeconds + 60) * 1000);
  if (options.followRevocations !== false) await revocations.start(database);
  const services: Services = { db: database.db, clock, config, revocations, logger };
  return {
    database,
    services,
    async close() {
      await revocations.stop();
      await database.close();
    },
  };
}

/**
 * With DATABASE_MIGRATION_URL the schema's owner migrates (and re-grants the runtime role) over a
 * connection of its own, closed straight after; the runtime's connection never holds DDL rights. Without
 * it, one role does both, as in development — and on PostgreSQL that role can switch the audit trail's
 * append-only trigger off, which is worth a warning.
 */
async function migrateAtStart(
  config: Config,
  database: Database,
  logger: Logger,
  givenDatabase: boolean,
): Promise<void> {
  if (config.databaseMigrationUrl && !givenDatabase) {
    const owner = await openDatabase({ databaseUrl: config.databaseMigrationUrl, poolSize: 1 });
    try {
      await installJobSchema(owner, defaultJobSchema);
      const applied = await migrate(owner.db, {
        runtimeRole: config.databaseRuntimeRole,
        jobSchema: defaultJobSchema,
      });
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated (as the schema owner)');
    } finally {
      await owner.close();
    }
  } else {
    const applied = await migrate(database.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  }
  if (database.kind !== 'postgres') return;
  const r = await sql<{ owns: boolean }>`
    select pg_has_role(current_user, c.relowner, 'usage') as owns
    from pg_class c where c.oid = to_regclass('audit_events')`.execute(database.db);
  if (r.rows[0]?.owns) {
    logger.warn(
      'the database role Roster runs as owns the audit trail, so it could switch off its append-only ' +
        'trigger: in production set DATABASE_MIGRATION_URL to the schema owner and DATABASE_URL to a ' +
        'runtime role (docs/operations/postgresql.md)',
    );
  }
}
