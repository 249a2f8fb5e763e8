import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { withTransaction } from '../../db/transaction.js';
import { auditEventHash } from './audit-hash.js';
import type { AuditAction } from './audit-actions.js';
import { flushAuditEvents, recordAuditEvent } from './record-audit-event.js';
import { verifyAuditChain } from './verify-audit-chain.js';

// The append starts from this process's hint of the chain head (one statement under the head's lock)
// and must fall back to reading the head whenever the hint is stale: the chain never forks or gaps.
let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function setUp() {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const actor = await actorFor(s, admin);
  const ctx = { actor, meta: {}, now: rt.clock.now() };
  const append = (action: AuditAction) =>
    withTransaction(s.db, (scope) =>
      recordAuditEvent(scope.trx, org.id, ctx, { action, targetType: 'user', targetId: admin.id }),
    );
  const head = () =>
    s.db
      .selectFrom('audit_chain_heads')
      .select(['last_seq', 'last_hash'])
      .where('org_id', '=', org.id)
      .executeTakeFirstOrThrow();
  const actions = async () =>
    (
      await s.db
        .selectFrom('audit_events')
        .select(['seq', 'action'])
        .where('org_id', '=', org.id)
        .orderBy('seq')
        .execute()
    ).map((r) => `${r.seq}:${r.action}`);
  return { s, org, admin, ctx, append, head, actions };
}

describe('appending to the audit chain from the head hint', () => {
  it('falls back when the transaction that set the hint rolled back', async () => {
    const { s, org, admin, ctx, append, actions } = await setUp();
    await append('user.updated');
    // Appended (the hint now says seq 2), then rolled back: the head is still at 1.
    await expect(
      withTransaction(s.db, async (scope) => {
        await recordAuditEvent(scope.trx, org.id, ctx, { action: 'user.suspended', targetId: admin.id });
        await flushAuditEvents(scope.trx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await append('user.role_changed');
    expect(await actions()).toEqual(['1:user.updated', '2:user.role_changed']);
    expect(await verifyAuditChain(s.db, org.id)).toEqual({ ok: true, checked: 2 });
  });

  it('falls back when another instance appended meanwhile', async () => {
    const { s, org, admin, append, head, actions } = await setUp();
    await append('user.updated');
    // What another instance's append leaves: an event at seq 2 chained to the head, and the head moved.
    const h = await head();
    const fields = {
      orgId: org.id,
      seq: h.last_seq + 1,
      id: crypto.randomUUID(),
      occurredAt: rt.clock.now(),
      actorType: 'system',
      actorId: null,
      action: 'user.reactivated',
      targetType: 'user',
      targetId: admin.id,
      changes: null,
      reason: null,
      requestId: null,
      ip: null,
      userAgent: null,
    };
    const hash = auditEventHash(h.last_hash, fields);
    await sql`
      with e as (
        insert into audit_events (org_id, seq, id, occurred_at, actor_type, action, target_type, target_id,
                                  prev_hash, hash)
        values (${org.id}, ${fields.seq}, ${fields.id}, ${fields.occurredAt}, 'system', ${fields.action},
                'user', ${admin.id}, ${h.last_hash}, ${hash})
      )
      update audit_chain_heads set last_seq = ${fields.seq}, last_hash = ${hash} where org_id = ${org.id}`.execute(
      s.db,
    );
    await append('user.role_changed');
    expect(await actions()).toEqual(['1:user.updated', '2:user.reactivated', '3:user.role_changed']);
    expect(await verifyAuditChain(s.db, org.id)).toEqual({ ok: true, checked: 3 });
  });

  it('keeps one unbroken chain under 30 concurrent appends', async () => {
    const { s, org, append, head } = await setUp();
    await append('user.updated');
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => append(i % 2 === 0 ? 'user.updated' : 'user.reactivated')),
    );
    expect((await head()).last_seq).toBe(31);
    expect(await verifyAuditChain(s.db, org.id)).toEqual({ ok: true, checked: 31 });
  });
});
