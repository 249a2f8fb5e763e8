import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { withTransaction, type Tx } from '../../db/transaction.js';
import { suspendUser } from '../users/suspend-user.js';
import { auditEventHash } from './audit-hash.js';
import { getAuditChainStatus } from './get-audit-chain-status.js';
import { recordAuditEvents } from './record-audit-event.js';
import { hashedFieldsOf, verifyAuditChain, verifyAuditChains } from './verify-audit-chain.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

/** An organisation whose chain has `n` events, written in several transactions, some with several events. */
async function seedChain(n: number) {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const actor = await actorFor(s, admin);
  for (let written = 0; written < n;) {
    const size = Math.min(n - written, 1 + (written % 3));
    rt.clock.advance(1000);
    const now = rt.clock.now();
    await withTransaction(s.db, (scope) =>
      recordAuditEvents(
        scope.trx,
        org.id,
        { actor, meta: { requestId: `req-${written}`, ip: '10.0.0.1', userAgent: 'vitest' }, now },
        Array.from({ length: size }, (_, i) => ({
          action: 'user.suspended',
          targetType: 'user',
          targetId: admin.id,
          // Nested values, dates and unicode must survive the round trip through JSONB unchanged.
          changes: {
            status: { from: 'active', to: 'suspended' },
            until: now,
            note: `ünïcødé ${written + i}`,
          },
          reason: `reason ${written + i + 1}`,
        })),
      ),
    );
    written += size;
  }
  return { org, admin, actor };
}

/**
 * Changes the trail behind the application's back: the append-only trigger does not fire for a
 * superuser session in replica mode (as a restore or an attacker with database access could do).
 */
async function tamper(fn: (trx: Tx) => Promise<unknown>) {
  await rt.services.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await fn(trx);
  });
}

const eventAt = (orgId: string, seq: number) =>
  rt.services.db
    .selectFrom('audit_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();

describe('verifyAuditChain', () => {
  it('accepts an intact chain, an empty one, and any batch size', async () => {
    const { org } = await seedChain(11);
    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual({ ok: true, checked: 11 });
    for (const batchSize of [1, 2, 5, 11, 12]) {
      expect(await verifyAuditChain(rt.services.db, org.id, { batchSize })).toEqual({
        ok: true,
        checked: 11,
      });
    }
    const empty = await createOrg(rt.services);
    expect(await verifyAuditChain(rt.services.db, empty.id)).toEqual({ ok: true, checked: 0 });
  });

  it('(a) finds a changed field of a middle event as a hash mismatch at that event', async () => {
    const { org } = await seedChain(9);
    const victim = await eventAt(org.id, 5);
    await tamper((trx) =>
      sql`update audit_events set reason = 'nothing happened' where org_id = ${org.id} and seq = 5`.execute(
        trx,
      ),
    );
    const expected = {
      ok: false,
      checked: 4,
      firstBrokenSeq: 5,
      firstBrokenEventId: victim.id,
      problem: 'hash_mismatch',
    };
    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual(expected);
    expect(await verifyAuditChain(rt.services.db, org.id, { batchSize: 2 })).toEqual(expected);
  });

  it('finds a change inside the JSON changes, and in the time, as a hash mismatch', async () => {
    const { org } = await seedChain(6);
    await tamper((trx) =>
      sql`update audit_events set changes = jsonb_set(changes, '{status,to}', '"active"')
          where org_id = ${org.id} and seq = 2`.execute(trx),
    );
    expect(await verifyAuditChain(rt.services.db, org.id)).toMatchObject({
      ok: false,
      firstBrokenSeq: 2,
      problem: 'hash_mismatch',
    });
    const other = await seedChain(6);
    await tamper((trx) =>
      sql`update audit_events set occurred_at = occurred_at - interval '1 day'
          where org_id = ${other.org.id} and seq = 6`.execute(trx),
    );
    expect(await verifyAuditChain(rt.services.db, other.org.id)).toMatchObject({
      ok: false,
      checked: 5,
      firstBrokenSeq: 6,
      problem: 'hash_mismatch',
    });
  });

  it('(b) finds a deleted middle event as a gap at its sequence number', async () => {
    const { org } = await seedChain(9);
    await tamper((trx) => sql`delete from audit_events where org_id = ${org.id} and seq = 4`.execute(trx));
    const expected = {
      ok: false,
      checked: 3,
      firstBrokenSeq: 4,
      firstBrokenEventId: null,
      problem: 'sequence_gap',
    };
    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual(expected);
    expect(await verifyAuditChain(rt.services.db, org.id, { batchSize: 3 })).toEqual(expected);

    const first = await seedChain(3);
    await tamper((trx) =>
      sql`delete from audit_events where org_id = ${first.org.id} and seq = 1`.execute(trx),
    );
    expect(await verifyAuditChain(rt.services.db, first.org.id)).toMatchObject({
      ok: false,
      checked: 0,
      firstBrokenSeq: 1,
      problem: 'sequence_gap',
    });
  });

  it('(c) finds an event changed and re-hashed by the broken link of the next event', async () => {
    const { org } = await seedChain(9);
    const victim = await eventAt(org.id, 5);
    const forged = { ...hashedFieldsOf(victim), reason: 'nothing happened' };
    const hash = auditEventHash(victim.prev_hash, forged);
    await tamper((trx) =>
      sql`update audit_events set reason = ${forged.reason}, hash = ${hash}
          where org_id = ${org.id} and seq = 5`.execute(trx),
    );
    const next = await eventAt(org.id, 6);
    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual({
      ok: false,
      checked: 5,
      firstBrokenSeq: 6,
      firstBrokenEventId: next.id,
      problem: 'link_broken',
    });
  });

  it('(d) finds a deleted last event by the chain head', async () => {
    const { org } = await seedChain(7);
    await tamper((trx) => sql`delete from audit_events where org_id = ${org.id} and seq = 7`.execute(trx));
    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual({
      ok: false,
      checked: 6,
      firstBrokenSeq: 7,
      firstBrokenEventId: null,
      problem: 'head_mismatch',
    });
  });

  it('finds a well-formed event appended without moving the head, and a head that was rewritten', async () => {
    const { org } = await seedChain(4);
    const last = await eventAt(org.id, 4);
    const fields = {
      ...hashedFieldsOf(last),
      seq: 5,
      id: '00000000-0000-4000-8000-00000000beef',
      reason: 'forged',
    };
    // An INSERT is not refused by the trigger; without the chain-head lock it cannot move the head.
    await rt.services.db
      .insertInto('audit_events')
      .values({
        org_id: org.id,
        seq: 5,
        id: fields.id,
        occurred_at: fields.occurredAt,
        actor_type: fields.actorType,
        actor_id: fields.actorId,
        action: fields.action,
        target_type: fields.targetType,
        target_id: fields.targetId,
        changes: JSON.stringify(fields.changes),
        reason: fields.reason,
        request_id: fields.requestId,
        ip: fields.ip,
        user_agent: fields.userAgent,
        prev_hash: last.hash,
        hash: auditEventHash(last.hash, fields),
      })
      .execute();
    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual({
      ok: false,
      checked: 4,
      firstBrokenSeq: 5,
      firstBrokenEventId: fields.id,
      problem: 'head_mismatch',
    });

    const other = await seedChain(3);
    await rt.services.db
      .updateTable('audit_chain_heads')
      .set({ last_hash: 'f'.repeat(64) })
      .where('org_id', '=', other.org.id)
      .execute();
    expect(await verifyAuditChain(rt.services.db, other.org.id)).toMatchObject({
      ok: false,
      checked: 3,
      firstBrokenSeq: 3,
      problem: 'head_mismatch',
    });
  });

  it('is append-only for the application: UPDATE, DELETE and TRUNCATE are refused by the database', async () => {
    const { org } = await seedChain(3);
    const db = rt.services.db;
    const attempts = [
      () => sql`update audit_events set reason = 'x' where org_id = ${org.id}`.execute(db),
      () => sql`delete from audit_events where org_id = ${org.id} and seq = 3`.execute(db),
      () => sql`truncate audit_events`.execute(db),
    ];
    for (const attempt of attempts) {
      await expect(attempt()).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining('append-only'),
      });
    }
    expect(await verifyAuditChain(db, org.id)).toEqual({ ok: true, checked: 3 });
  });

  it('keeps one contiguous, valid chain under 20 concurrent commands of one organisation', async () => {
    const s = rt.services;
    const org = await createOrg(s);
    const admin = await createUser(s, org.id, { role: 'administrator' });
    const ctx = contextFor(s, await actorFor(s, admin));
    const targets = await Promise.all(Array.from({ length: 20 }, () => createUser(s, org.id)));
    await Promise.all(targets.map((t) => suspendUser(ctx, { userId: t.id, reason: 'incident' })));
    const events = await s.db
      .selectFrom('audit_events')
      .select(['seq', 'target_id'])
      .where('org_id', '=', org.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.target_id)).size).toBe(20);
    expect(await verifyAuditChain(s.db, org.id)).toEqual({ ok: true, checked: 20 });
  });
  it('does not mistake events appended while it runs for damage', async () => {
    const s = rt.services;
    const { org, actor } = await seedChain(30);
    const ctx = contextFor(s, actor);
    const targets = await Promise.all(Array.from({ length: 10 }, () => createUser(s, org.id)));
    const [verification] = await Promise.all([
      verifyAuditChain(s.db, org.id, { batchSize: 1 }),
      ...targets.map((t) => suspendUser(ctx, { userId: t.id, reason: 'incident' })),
    ]);
    expect(verification).toMatchObject({ ok: true });
    expect(await verifyAuditChain(s.db, org.id)).toEqual({ ok: true, checked: 40 });
  });
});

describe('verifyAuditChains and auditChainStatus', () => {
  it('verifies every organisation or one by slug, and reports each on its own', async () => {
    const good = await seedChain(2);
    const bad = await seedChain(3);
    await tamper((trx) =>
      sql`delete from audit_events where org_id = ${bad.org.id} and seq = 2`.execute(trx),
    );
    const all = await verifyAuditChains(rt.services.db);
    const bySlug = new Map(all.map((c) => [c.slug, c.result]));
    expect(bySlug.get(good.org.slug)).toEqual({ ok: true, checked: 2 });
    expect(bySlug.get(bad.org.slug)).toMatchObject({ ok: false, firstBrokenSeq: 2, problem: 'sequence_gap' });
    expect(all.map((c) => c.slug)).toEqual([...all.map((c) => c.slug)].sort());

    const one = await verifyAuditChains(rt.services.db, { orgSlug: good.org.slug });
    expect(one).toEqual([{ orgId: good.org.id, slug: good.org.slug, result: { ok: true, checked: 2 } }]);
    expect(await verifyAuditChains(rt.services.db, { orgSlug: 'no-such-org' })).toEqual([]);
  });

  it('requires audit:verify and checks only the viewer’s organisation', async () => {
    const { org } = await seedChain(3);
    const other = await seedChain(2);
    await tamper((trx) =>
      sql`delete from audit_events where org_id = ${other.org.id} and seq = 1`.execute(trx),
    );
    const auditor = await actorFor(rt.services, await createUser(rt.services, org.id, { role: 'auditor' }));
    const status = await getAuditChainStatus(contextFor(rt.services, auditor));
    expect(status).toEqual({ ok: true, checked: 3, verifiedAt: rt.clock.now() });
    for (const role of ['viewer', 'user_manager'] as const) {
      const actor = await actorFor(rt.services, await createUser(rt.services, org.id, { role }));
      await expect(getAuditChainStatus(contextFor(rt.services, actor))).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
  });
});
