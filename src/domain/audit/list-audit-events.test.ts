import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import type { Actor } from '../shared/context.js';
import type { AuditAction } from './audit-actions.js';
import { decodeAuditCursor, encodeAuditCursor } from './audit-event-query.js';
import { listAuditEvents, usersOfAuditEvents, type AuditEventOrder } from './list-audit-events.js';
import { recordAuditEvent } from './record-audit-event.js';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

/** Appends one event as `actor`, a minute after the previous one. */
async function record(actor: Actor, action: string, target?: UserRow | { id: string; type: string }) {
  rt.clock.advance(60_000);
  const targetType = target ? ('type' in target ? target.type : 'user') : null;
  await withTransaction(rt.services.db, (scope) =>
    recordAuditEvent(
      scope.trx,
      actor.orgId,
      { actor, meta: { requestId: 'req-1' }, now: rt.clock.now() },
      // Any text, like rows written by another version: the filter's escaping is tested with made-up actions.
      { action: action as AuditAction, targetType, targetId: target?.id ?? null },
    ),
  );
  return rt.clock.now();
}

/** An organisation with a small, known trail: seq 1..8. */
async function seedTrail() {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const auditor = await createUser(s, org.id, { role: 'auditor' });
  const u1 = await createUser(s, org.id);
  const u2 = await createUser(s, org.id);
  const adminActor = await actorFor(s, admin);
  const auditorActor = await actorFor(s, auditor);
  const system: Actor = { type: 'system', orgId: org.id, name: 'scheduler' };
  const times = [
    await record(adminActor, 'user.invited', u1), // 1
    await record(adminActor, 'user.invited', u2), // 2
    await record(adminActor, 'user.suspended', u1), // 3
    await record(auditorActor, 'user.role_changed', u2), // 4
    await record(system, 'user.reactivated', u1), // 5
    await record(adminActor, 'organization.updated', { id: org.id, type: 'organization' }), // 6
    await record(adminActor, 'user_group.created'), // 7
    await record(adminActor, 'userxgroup.created'), // 8
  ];
  return { org, admin, auditor, u1, u2, adminActor, auditorActor, times };
}

const seqs = (events: { seq: number }[]) => events.map((e) => e.seq);

/** Walks every page of a listing, `first` at a time. */
async function walk(actor: Actor, order: AuditEventOrder, first: number, filter?: Record<string, unknown>) {
  const ctx = contextFor(rt.services, actor);
  const pages: number[][] = [];
  let after: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page = await listAuditEvents(ctx, { order, first, after, filter: filter ?? null });
    pages.push(seqs(page.events));
    const last = page.events[page.events.length - 1];
    if (!page.hasNextPage || !last) break;
    after = encodeAuditCursor(last.seq);
  }
  return pages;
}

describe('listAuditEvents', () => {
  it('pages through the trail by keyset, newest first by default and oldest first on request', async () => {
    const { adminActor } = await seedTrail();
    const ctx = contextFor(rt.services, adminActor);
    const firstPage = await listAuditEvents(ctx, {});
    expect(seqs(firstPage.events)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(firstPage.hasNextPage).toBe(false);

    expect(await walk(adminActor, 'NEWEST_FIRST', 3)).toEqual([
      [8, 7, 6],
      [5, 4, 3],
      [2, 1],
    ]);
    expect(await walk(adminActor, 'OLDEST_FIRST', 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8],
    ]);
    // A page that ends exactly at the end says so, without an empty page after it.
    expect(await walk(adminActor, 'OLDEST_FIRST', 4)).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
  });

  it('filters by actor, target, exact action, action prefix and a half-open time range', async () => {
    const { admin, auditor, u1, u2, adminActor, times } = await seedTrail();
    const list = async (filter: Record<string, unknown>, order: AuditEventOrder = 'OLDEST_FIRST') =>
      seqs((await listAuditEvents(contextFor(rt.services, adminActor), { filter, order })).events);

    expect(await list({ actorId: admin.id })).toEqual([1, 2, 3, 6, 7, 8]);
    expect(await list({ actorId: auditor.id })).toEqual([4]);
    expect(await list({ targetId: u1.id })).toEqual([1, 3, 5]);
    expect(await list({ targetId: u2.id, actorId: admin.id })).toEqual([2]);
    expect(await list({ action: 'user.invited' })).toEqual([1, 2]);
    expect(await list({ action: 'user.' })).toEqual([1, 2, 3, 4, 5]);
    expect(await list({ action: 'user.', actorId: admin.id }, 'NEWEST_FIRST')).toEqual([3, 2, 1]);
    // `_` is literal in a prefix, not LIKE's any-character.
    expect(await list({ action: 'user_group.' })).toEqual([7]);
    expect(await list({ action: 'user' })).toEqual([]);
    // After is inclusive, before exclusive.
    expect(await list({ occurredAfter: times[2], occurredBefore: times[5] })).toEqual([3, 4, 5]);
    expect(await list({ occurredAfter: times[6] })).toEqual([7, 8]);

    expect(await walk(adminActor, 'NEWEST_FIRST', 2, { action: 'user.' })).toEqual([[5, 4], [3, 2], [1]]);
    expect(await walk(adminActor, 'OLDEST_FIRST', 2, { targetId: u1.id })).toEqual([[1, 3], [5]]);
  });

  it('never shows another organisation’s events, whatever the filter or cursor', async () => {
    const a = await seedTrail();
    const b = await seedTrail();
    const ctx = contextFor(rt.services, a.auditorActor);
    const all = await listAuditEvents(ctx, { first: 200 });
    expect(all.events).toHaveLength(8);
    expect(all.events.every((e) => e.org_id === a.org.id)).toBe(true);
    for (const filter of [{ actorId: b.admin.id }, { targetId: b.u1.id }, { targetId: b.org.id }]) {
      expect((await listAuditEvents(ctx, { filter })).events).toEqual([]);
    }
    // A cursor is only a position in the viewer's own trail.
    const fromB = encodeAuditCursor(6);
    expect(seqs((await listAuditEvents(ctx, { after: fromB })).events)).toEqual([5, 4, 3, 2, 1]);
  });

  it('loads the actors and target users of a page, within the organisation', async () => {
    const { admin, auditor, u1, u2, adminActor } = await seedTrail();
    const ctx = contextFor(rt.services, adminActor);
    const page = await listAuditEvents(ctx, { order: 'OLDEST_FIRST' });
    const users = await usersOfAuditEvents(ctx, page.events);
    expect([...users.keys()].sort()).toEqual([admin.id, auditor.id, u1.id, u2.id].sort());
  });

  it('requires audit:read and refuses bad input', async () => {
    const { org, adminActor } = await seedTrail();
    const viewer = await actorFor(rt.services, await createUser(rt.services, org.id, { role: 'viewer' }));
    const manager = await actorFor(
      rt.services,
      await createUser(rt.services, org.id, { role: 'user_manager' }),
    );
    for (const actor of [viewer, manager]) {
      await expect(listAuditEvents(contextFor(rt.services, actor), {})).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      // The permission is checked before the input: a forbidden caller learns nothing from validation.
      await expect(listAuditEvents(contextFor(rt.services, actor), { after: 'junk' })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    }
    const ctx = contextFor(rt.services, adminActor);
    const bad: Record<string, unknown>[] = [
      { first: 0 },
      { first: 201 },
      { after: 'not-a-cursor' },
      { after: Buffer.from('audit:0').toString('base64url') },
      { filter: { actorId: 'nope' } },
      { filter: { action: 'user.%' } },
      { filter: { occurredAfter: 'yesterday' } },
      { filter: { orgId: org.id } },
      { orgId: org.id },
    ];
    for (const input of bad) {
      await expect(listAuditEvents(ctx, input as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(decodeAuditCursor(encodeAuditCursor(123456))).toBe(123456);
  });
});
