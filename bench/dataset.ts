// The benchmark's data: an organisation "bench" with an owner who can sign in, and N seeded users. On
// PostgreSQL it lives in its own schema `bench` and is reused across runs (seeding 1M users takes a minute);
// the embedded database lives in a folder the caller chooses (a temp dir).
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig, type Config } from '../src/config.js';
import { hashPassword } from '../src/domain/security/password-hash.js';
import { seedUsers, type SeedUsersResult } from '../src/domain/users/seed-users.js';
import { normalizeEmail, searchTextOf } from '../src/domain/users/user-record.js';
import { createRuntime, type Runtime } from '../src/runtime.js';

export const benchOrgSlug = 'bench';
export const benchOwner = { email: 'bench-owner@example.test', password: 'benchmark owner password 2026' };
/** The same key in the bench process and the server child, so both read the stored signing keys. */
export const benchSecretKey = 'bench-secret-key-bench-secret-key-0123456789';

export interface BenchTarget {
  kind: 'postgres' | 'pglite';
  /** Environment for the server child and for loadConfig. */
  env: Record<string, string>;
}

export function postgresTarget(baseUrl: string): BenchTarget {
  const url = new URL(baseUrl);
  url.searchParams.set('options', '-c search_path=bench,public');
  return { kind: 'postgres', env: { DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: '10' } };
}

export function pgliteTarget(dataDir: string): BenchTarget {
  return { kind: 'pglite', env: { ROSTER_DATA_DIR: dataDir } };
}

export function benchConfig(target: BenchTarget): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ROSTER_SECRET_KEY: benchSecretKey,
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    ...target.env,
  });
}

export async function createBenchSchema(baseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query('create schema if not exists bench');
  } finally {
    await c.end();
  }
}

export interface Dataset {
  runtime: Runtime;
  orgId: string;
  ownerId: string;
  users: number;
  /** Present when this run had to seed. */
  seeded: SeedUsersResult | null;
}

/** Opens the target, makes sure the org, its owner and `users` users exist; seeds what is missing. */
export async function prepareDataset(target: BenchTarget, users: number): Promise<Dataset> {
  const runtime = await createRuntime(benchConfig(target), {
    followRevocations: false,
    logger: pino({ level: 'silent' }),
  });
  const { db } = runtime.services;
  const now = runtime.services.clock.now();
  let org = await db
    .selectFrom('organizations')
    .select('id')
    .where('slug', '=', benchOrgSlug)
    .executeTakeFirst();
  org ??= await db
    .insertInto('organizations')
    .values({ name: 'Bench', slug: benchOrgSlug })
    .returning('id')
    .executeTakeFirstOrThrow();
  const email = benchOwner.email;
  let owner = await db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', org.id)
    .where('email_normalized', '=', normalizeEmail(email))
    .executeTakeFirst();
  owner ??= await db
    .insertInto('users')
    .values({
      org_id: org.id,
      email,
      email_normalized: normalizeEmail(email),
      display_name: 'Bench Owner',
      search_text: searchTextOf('Bench Owner', email),
      role: 'owner',
      status: 'active',
      password_hash: await hashPassword(benchOwner.password),
      created_at: now,
      updated_at: now,
      activated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const have = await countOrgUsers(runtime, org.id);
  let seeded: SeedUsersResult | null = null;
  if (have < users) {
    seeded = await seedUsers(runtime.services, { orgId: org.id, count: users - have, batchSize: 20_000 });
  } else {
    // Reused data: statistics as a fresh seed leaves them (a migration may have changed their targets).
    await sql`analyze users`.execute(db);
  }
  return { runtime, orgId: org.id, ownerId: owner.id, users: await countOrgUsers(runtime, org.id), seeded };
}

async function countOrgUsers(runtime: Runtime, orgId: string): Promise<number> {
  const r = await runtime.services.db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
