import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { AuditEventRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import type { Actor } from '../shared/context.js';
import type { AuditAction } from './audit-actions.js';
import { exportAuditEvents } from './export-audit-events.js';
import { recordAuditEvents } from './record-audit-event.js';
import { verifyAuditChain } from './verify-audit-chain.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

async function append(actor: Actor, actions: AuditAction[]) {
  rt.clock.advance(1000);
  await withTransaction(rt.services.db, (scope) =>
    recordAuditEvents(
      scope.trx,
      actor.orgId,
      { actor, meta: {}, now: rt.clock.now() },
      actions.map((action) => ({ action })),
    ),
  );
}

async function collect(events: AsyncIterable<AuditEventRow>) {
  const out: AuditEventRow[] = [];
  for await (const e of events) out.push(e);
  return out;
}

async function setup() {
  const s = rt.services;
  const org = await createOrg(s);
  const auditor = await actorFor(s, await createUser(s, org.id, { role: 'auditor' }));
  return { org, auditor, ctx: contextFor(s, auditor) };
}

describe('exportAuditEvents', () => {
  it('streams every event oldest first across batches and records the export first, in the chain', async () => {
    const { org, auditor, ctx } = await setup();
    await append(
      auditor,
      Array.from({ length: 2500 }, (_, i) => (i % 2 ? 'user.suspended' : 'user.reactivated')),
    );
    const exported = await exportAuditEvents(ctx, { format: 'jsonl' });
    expect(exported.filename).toBe(`audit-${org.slug}-${rt.clock.now().toISOString().slice(0, 10)}.jsonl`);
    // The export's own record is committed before any row is read.
    const recorded = await rt.services.db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', org.id)
      .where('action', '=', 'audit.exported')
      .execute();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ seq: 2501, changes: { format: 'jsonl', filter: {} } });
    if (auditor.type !== 'user') throw new Error('unreachable');
    expect(recorded[0]?.actor_id).toBe(auditor.userId);

    const rows = await collect(exported.events);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 2501 }, (_, i) => i + 1));
    expect(rows.every((r) => r.org_id === org.id)).toBe(true);
    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual({ ok: true, checked: 2501 });
  });

  it('applies the filters, records them, and stops at its own record', async () => {
    const { auditor, ctx } = await setup();
    await append(auditor, ['user.invited', 'user.suspended', 'organization.updated']);
    const from = new Date(rt.clock.now().getTime() + 1);
    await append(auditor, ['user.reactivated', 'user.suspended']);
    const exported = await exportAuditEvents(ctx, {
      format: 'csv',
      filter: { action: 'user.', occurredAfter: from },
    });
    // Appended after the export began: not part of it.
    await append(auditor, ['user.deactivated']);
    const rows = await collect(exported.events);
    expect(rows.map((r) => [r.seq, r.action])).toEqual([
      [4, 'user.reactivated'],
      [5, 'user.suspended'],
    ]);
    const record = await rt.services.db
      .selectFrom('audit_events')
      .select('changes')
      .where('org_id', '=', auditor.orgId)
      .where('seq', '=', 6)
      .executeTakeFirstOrThrow();
    expect(record.changes).toEqual({
      format: 'csv',
      filter: { action: 'user.', occurredAfter: from.toISOString() },
    });

    const all = await collect((await exportAuditEvents(ctx, { format: 'csv' })).events);
    expect(all.map((r) => r.action).slice(-3)).toEqual([
      'audit.exported',
      'user.deactivated',
      'audit.exported',
    ]);
  });

  it('requires audit:export, validates before writing, and writes nothing when refused', async () => {
    const { org, auditor } = await setup();
    await append(auditor, ['user.invited']);
    for (const role of ['viewer', 'user_manager'] as const) {
      const actor = await actorFor(rt.services, await createUser(rt.services, org.id, { role }));
      await expect(
        exportAuditEvents(contextFor(rt.services, actor), { format: 'csv' }),
      ).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    const ctx = contextFor(rt.services, auditor);
    for (const bad of [
      { format: 'xml' },
      { format: 'csv', filter: { actorId: 'x' } },
      { format: 'csv', orgId: org.id },
      { format: 'csv', filter: { occurredBefore: 'soon' } },
    ]) {
      await expect(exportAuditEvents(ctx, bad as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    const events = await rt.services.db
      .selectFrom('audit_events')
      .select('seq')
      .where('org_id', '=', org.id)
      .execute();
    expect(events).toHaveLength(1);
  });
});
