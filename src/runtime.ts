import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
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
  const logger = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      poolSize: config.databasePoolSize,
      dataDir: config.dataDir,
    }));
  const applied = await migrate(database.db);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
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
