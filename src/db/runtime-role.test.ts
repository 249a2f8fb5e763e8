import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../test/support/factories.js';
import { testConfig } from '../../test/support/test-runtime.js';
import { verifyAuditChain } from '../domain/audit/verify-audit-chain.js';
import { recordAuditEvent } from '../domain/audit/record-audit-event.js';
import { ManualClock } from '../domain/shared/clock.js';
import { suspendUser } from '../domain/users/suspend-user.js';
import { withTransaction } from './transaction.js';
import { createJobQueue, installJobSchema } from '../jobs/queue.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { openDatabase, type Database } from './database.js';
import { migrate } from './migrate.js';

// Roles are a PostgreSQL server's; the embedded database has one superuser and nothing to split.
const base = process.env.TEST_DATABASE_URL;
if (!base)
  console.log('runtime-role.test.ts skipped: needs TEST_DATABASE_URL (database roles are PostgreSQL only)');

describe.skipIf(!base)('a runtime role apart from the schema owner (PostgreSQL)', () => {
  const suffix = randomBytes(5).toString('hex');
  const role = `roster_rt_${suffix}`;
  const ownerRole = `roster_owner_${suffix}`;
  const schema = `t_role_${suffix}`;
  const jobSchema = `jobs_${suffix}`;
  const password = randomBytes(12).toString('hex');
  let admin: pg.Client;
  let owner: Database;
  let runtime: Runtime;
  let asRuntime: pg.Client;

  const urlFor = (user?: { name: string; password: string }) => {
    const url = new URL(base!);
    if (user) {
      url.username = user.name;
      url.password = user.password;
    }
    url.searchParams.set('options', `-c search_path=${schema},public`);
    return url.toString();
  };

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: base });
    await admin.connect();
    // As docs/operations/postgresql.md sets them up: neither role is a superuser; the owner may create
    // schemas in the database and is a member of the runtime role (to hand it the job queue's schema).
    await admin.query(`create role ${role} login password '${password}'`);
    await admin.query(`create role ${ownerRole} login password '${password}'`);
    await admin.query(`grant ${role} to ${ownerRole}`);
    await admin.query(`grant create on database ${new URL(base!).pathname.slice(1)} to ${ownerRole}`);
    await admin.query(`create schema ${schema} authorization ${ownerRole}`);
    // The owner migrates a fresh schema and grants the runtime role its rights.
    owner = await openDatabase({ databaseUrl: urlFor({ name: ownerRole, password }), poolSize: 2 });
    await installJobSchema(owner, jobSchema);
    await migrate(owner.db, { runtimeRole: role, jobSchema });
    const runtimeDb = await openDatabase({ databaseUrl: urlFor({ name: role, password }), poolSize: 4 });
    runtime = await createRuntime(testConfig(), {
      database: runtimeDb,
      clock: new ManualClock(new Date()),
      logger: pino({ level: 'silent' }),
    });
    asRuntime = new pg.Client({ connectionString: urlFor({ name: role, password }) });
    await asRuntime.connect();
  });

  afterAll(async () => {
    await asRuntime?.end();
    await runtime?.close();
    await owner?.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${jobSchema} cascade`);
    for (const r of [role, ownerRole]) {
      await admin.query(`drop owned by ${r}`);
      await admin.query(`drop role if exists ${r}`);
    }
    await admin.end();
  });

  it('runs a normal command as the runtime role: audit rows are appended and read', async () => {
    const s = runtime.services;
    expect((await sql<{ u: string }>`select current_user as u`.execute(s.db)).rows[0]?.u).toBe(role);
    const org = await createOrg(s);
    const adminUser = await createUser(s, org.id, { role: 'administrator' });
    const target = await createUser(s, org.id);
    const suspended = await suspendUser(contextFor(s, await actorFor(s, adminUser)), {
      userId: target.id,
      reason: 'On leave',
    });
    expect(suspended.status).toBe('suspended');
    await withTransaction(s.db, ({ trx }) =>
      recordAuditEvent(
        trx,
        org.id,
        { actor: { type: 'system', name: 'test', orgId: org.id }, meta: {}, now: s.clock.now() },
        { action: 'audit.exported' },
      ),
    );
    const rows = await s.db
      .selectFrom('audit_events')
      .select('action')
      .where('org_id', '=', org.id)
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.action)).toEqual(['user.suspended', 'audit.exported']);
    expect(await verifyAuditChain(s.db, org.id)).toEqual({ ok: true, checked: 2 });
  });

  it('cannot change, remove, truncate, alter or switch off the audit trail', async () => {
    const attempts = [
      `update audit_events set reason = 'rewritten'`,
      `delete from audit_events`,
      `truncate audit_events`,
      `alter table audit_events disable trigger audit_events_no_update`,
      `alter table audit_events disable trigger all`,
      `alter table audit_events add column note text`,
      `drop trigger audit_events_no_update on audit_events`,
      `drop table audit_events`,
      `create table sneaky (id int)`,
      `create or replace function audit_events_append_only() returns trigger language plpgsql as 'begin return null; end'`,
    ];
    for (const statement of attempts) {
      const err = await asRuntime.query(statement).then(
        () => null,
        (e: { code?: string; message: string }) => e,
      );
      expect(err, statement).not.toBeNull();
      // 42501 insufficient_privilege (permission denied / must be owner).
      expect(err?.code, `${statement}: ${err?.message}`).toBe('42501');
    }
    const triggers = await owner.raw(
      `select tgname, tgenabled from pg_trigger where tgrelid = 'audit_events'::regclass and not tgisinternal order by 1`,
    );
    expect(triggers.rows).toEqual([
      { tgname: 'audit_events_no_truncate', tgenabled: 'O' },
      { tgname: 'audit_events_no_update', tgenabled: 'O' },
    ]);
  });

  it('leaves the schema to its owner: the runtime role owns nothing there', async () => {
    const owned = await owner.raw(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and pg_get_userbyid(c.relowner) <> $2`,
      [schema, ownerRole],
    );
    expect(owned.rows).toEqual([]);
  });

  it('warns at start-up when the role it runs as owns the audit trail, not when it is the runtime role', async () => {
    const warnings = async (database: Database) => {
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
      const r = await createRuntime(testConfig(), { database, logger, followRevocations: false });
      await r.services.revocations.stop();
      return lines.filter((l) => l.includes('owns the audit trail'));
    };
    expect(await warnings(owner)).toHaveLength(1);
    expect(await warnings(runtime.database)).toHaveLength(0);
  });

  it('re-grants after every migrate, so tables that later migrations add are reachable too', async () => {
    await owner.raw(`create table later_feature (id int primary key)`);
    await migrate(owner.db, { runtimeRole: role, jobSchema });
    await asRuntime.query(`insert into later_feature values (1)`);
    await asRuntime.query(`delete from later_feature`);
  });

  it('runs the job queue as the runtime role (pg-boss creates its own tables and partitions)', async () => {
    const { boss, connection } = createJobQueue(runtime.database, { schema: jobSchema });
    boss.on('error', () => undefined);
    await boss.start();
    await boss.createQueue('role-test');
    const id = await boss.send('role-test', { x: 1 });
    expect(id).toBeTruthy();
    await boss.stop({ graceful: false, wait: true });
    await connection.close(1000);
  });
});
