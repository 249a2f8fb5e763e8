import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  name: string;
  sql: string;
}

export function listMigrations(): Migration[] {
  return readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(migrationsDir + name, 'utf8') }));
}

export interface MigrateOptions {
  /**
   * The role the application runs as, when it is not the one migrating (the owner): after the migrations,
   * every table, sequence and function of the schema is granted to it again — so tables added by later
   * migrations are covered — except the audit trail, on which it may only INSERT and SELECT.
   */
  runtimeRole?: string | undefined;
  /** pg-boss's schema, handed to the runtime role (the queue creates its own tables at run time). */
  jobSchema?: string | undefined;
}

/**
 * Applies the SQL files of migrations/ that have not run yet, each in its own transaction, in name order.
 * An advisory lock makes concurrent starts of several instances safe. Returns the names applied.
 */
export async function migrate(db: Kysely<DB>, options: MigrateOptions = {}): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(72616) `.execute(trx);
    // Checked first: a runtime role without CREATE on the schema may start on a migrated database, and
    // `create table if not exists` asks for that privilege even when the table exists.
    const exists = await sql<{
      t: string | null;
    }>`select to_regclass('schema_migrations')::text as t`.execute(trx);
    if (!exists.rows[0]?.t) {
      await sql`create table if not exists schema_migrations (
        name text primary key, applied_at timestamptz not null default now())`.execute(trx);
    }
    const done = await sql<{ name: string }>`select name from schema_migrations`.execute(trx);
    const have = new Set(done.rows.map((r) => r.name));
    for (const m of listMigrations()) {
      if (have.has(m.name)) continue;
      await sql.raw(m.sql).execute(trx);
      await sql`insert into schema_migrations (name) values (${m.name})`.execute(trx);
      applied.push(m.name);
    }
    if (options.runtimeRole) {
      await sql`select roster_grant_runtime_role(${options.runtimeRole}, ${options.jobSchema ?? null})`.execute(
        trx,
      );
    }
  });
  return applied;
}
