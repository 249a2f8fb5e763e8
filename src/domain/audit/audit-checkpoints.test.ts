import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, contextFor, createOrg, createUser } from '../../../test/support/factories.js';
import { openTestRuntime, type TestRuntime } from '../../../test/support/test-runtime.js';
import { scheduledTasks } from '../../jobs/scheduled-tasks.js';
import { rotateSigningKey } from '../keys/rotate-signing-key.js';
import { reactivateUser } from '../users/reactivate-user.js';
import { suspendUser } from '../users/suspend-user.js';
import { auditEventHash, hashedFieldsOf } from './audit-hash.js';
import { createAuditCheckpoints, verifyAuditCheckpoints } from './audit-checkpoints.js';
import { verifyAuditChain } from './verify-audit-chain.js';

let rt: TestRuntime;
let dir: string;
beforeAll(async () => {
  rt = await openTestRuntime();
});
afterAll(async () => rt?.close());

/** An organisation with `n` suspend/reactivate pairs of audit events. */
async function orgWithEvents(pairs: number) {
  const s = rt.services;
  const org = await createOrg(s);
  const admin = await createUser(s, org.id, { role: 'administrator' });
  const target = await createUser(s, org.id);
  const ctx = contextFor(s, await actorFor(s, admin));
  const more = async (k: number) => {
    for (let i = 0; i < k; i++) {
      await suspendUser(ctx, { userId: target.id, reason: `reason ${i}` });
      await reactivateUser(ctx, { userId: target.id });
    }
  };
  await more(pairs);
  return { org, more };
}

/**
 * Damages one event in place (the append-only trigger switched off around it, as its owner could) and
 * returns the undo, so a test can put it back for the tests after it.
 */
async function damageEvent(orgId: string, seq: number): Promise<() => Promise<void>> {
  const db = rt.services.db;
  const setReason = async (reason: string | null) => {
    await sql`alter table audit_events disable trigger audit_events_no_update`.execute(db);
    await db
      .updateTable('audit_events')
      .set({ reason })
      .where('org_id', '=', orgId)
      .where('seq', '=', seq)
      .execute();
    await sql`alter table audit_events enable trigger audit_events_no_update`.execute(db);
  };
  const original = await db
    .selectFrom('audit_events')
    .select('reason')
    .where('org_id', '=', orgId)
    .where('seq', '=', seq)
    .executeTakeFirstOrThrow();
  await setReason('edited');
  return () => setReason(original.reason);
}

/**
 * What a superuser (or the schema's owner) can do: switch the append-only trigger off, change an event,
 * recompute every hash after it and the head, so the chain is consistent again.
 */
async function rewriteChainConsistently(orgId: string, seq: number) {
  const db = rt.services.db;
  await sql`alter table audit_events disable trigger audit_events_no_update`.execute(db);
  try {
    await db
      .updateTable('audit_events')
      .set({ reason: 'nothing to see here' })
      .where('org_id', '=', orgId)
      .where('seq', '=', seq)
      .execute();
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('seq')
      .execute();
    let prev = rows[0]!.prev_hash;
    for (const row of rows) {
      const hash = auditEventHash(prev, hashedFieldsOf(row));
      await db
        .updateTable('audit_events')
        .set({ prev_hash: prev, hash })
        .where('org_id', '=', orgId)
        .where('seq', '=', row.seq)
        .execute();
      prev = hash;
    }
    await db.updateTable('audit_chain_heads').set({ last_hash: prev }).where('org_id', '=', orgId).execute();
  } finally {
    await sql`alter table audit_events enable trigger audit_events_no_update`.execute(db);
  }
}

const ours = (checks: Awaited<ReturnType<typeof verifyAuditCheckpoints>>, orgId: string) =>
  checks.filter((c) => c.file === `${orgId}.checkpoints`);

describe('signed audit checkpoints', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'roster-checkpoints-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an untampered chain extends every checkpoint, across appends and a key rotation', async () => {
    const { org, more } = await orgWithEvents(2);
    const first = await createAuditCheckpoints(rt.services, { dir, now: rt.clock.now() });
    expect(first.written).toBeGreaterThanOrEqual(1);
    // Nothing moved: no second line for this organisation.
    const again = await createAuditCheckpoints(rt.services, { dir, now: rt.clock.now() });
    expect(again.written).toBe(0);
    await more(1);
    // A rotation, and the old key retired: its checkpoints still verify (the key stays in signing_keys).
    const { kid } = await rotateSigningKey(rt.services);
    await rt.services.db
      .updateTable('signing_keys')
      .set({ retired_at: rt.clock.now() })
      .where('kid', '<>', kid)
      .execute();
    await createAuditCheckpoints(rt.services, { dir, now: rt.clock.now() });
    const lines = readFileSync(join(dir, `${org.id}.checkpoints`), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2);
    const checks = ours(await verifyAuditCheckpoints(rt.services.db, dir), org.id);
    expect(checks.map((c) => [c.seq, c.ok])).toEqual([
      [4, true],
      [6, true],
    ]);
  });

  it('detects a chain rewritten consistently after a checkpoint, which plain verify cannot', async () => {
    const { org, more } = await orgWithEvents(2);
    await createAuditCheckpoints(rt.services, { dir, now: rt.clock.now() });
    await more(1);
    await rewriteChainConsistently(org.id, 2);

    expect(await verifyAuditChain(rt.services.db, org.id)).toEqual({ ok: true, checked: 6 });
    const checks = ours(await verifyAuditCheckpoints(rt.services.db, dir), org.id);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ ok: false, problem: 'hash_differs', seq: 4, line: 1 });
    expect(checks[0]!.file).toBe(`${org.id}.checkpoints`);

    // Nor does the next scheduled checkpoint bless the rewrite: it checks the chain since the last one.
    const next = await createAuditCheckpoints(rt.services, { dir, now: rt.clock.now() });
    expect(next.refused).toBe(1);
    expect(
      readFileSync(join(dir, `${org.id}.checkpoints`), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1);
  });

  it('signs no checkpoint over an event damaged since the last one (verifies from that checkpoint on)', async () => {
    const { org, more } = await orgWithEvents(1);
    const own = mkdtempSync(join(tmpdir(), 'roster-damaged-'));
    try {
      await createAuditCheckpoints(rt.services, { dir: own, now: rt.clock.now() });
      await more(1);
      const db = rt.services.db;
      const undo = await damageEvent(org.id, 3);
      const r = await createAuditCheckpoints(rt.services, { dir: own, now: rt.clock.now() });
      expect(r.refused).toBe(1);
      expect(
        readFileSync(join(own, `${org.id}.checkpoints`), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(1);
      // Put it back, so the other tests of this file see only intact or consistently rewritten chains.
      await undo();
      expect((await verifyAuditChain(db, org.id)).ok).toBe(true);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('with the log as the only sink, re-signs only heads that moved and verifies from the kept checkpoint', async () => {
    const { org, more } = await orgWithEvents(1);
    const db = rt.services.db;
    const kept = () =>
      db
        .selectFrom('audit_last_checkpoints')
        .select(['seq', 'signed_at'])
        .where('org_id', '=', org.id)
        .executeTakeFirst();
    await createAuditCheckpoints(rt.services, { dir: undefined, now: rt.clock.now() });
    const first = await kept();
    expect(first?.seq).toBe(2);
    rt.clock.advance(3_600_000);
    await createAuditCheckpoints(rt.services, { dir: undefined, now: rt.clock.now() });
    // Not moved: not signed again (the row keeps its first signing time).
    expect((await kept())?.signed_at.getTime()).toBe(first!.signed_at.getTime());
    await more(1);
    await createAuditCheckpoints(rt.services, { dir: undefined, now: rt.clock.now() });
    expect((await kept())?.seq).toBe(4);
    // Damage after the kept checkpoint is found before anything is signed over it.
    await more(1);
    const undo = await damageEvent(org.id, 5);
    const refused = await createAuditCheckpoints(rt.services, { dir: undefined, now: rt.clock.now() });
    expect(refused.refused).toBeGreaterThanOrEqual(1);
    expect((await kept())?.seq).toBe(4);
    // Put it back, so the other tests of this file see only intact or consistently rewritten chains.
    await undo();
    expect((await verifyAuditChain(db, org.id)).ok).toBe(true);
  });

  it('refuses a forged checkpoint: an edited payload, or one signed by a key the instance never made', async () => {
    const { org } = await orgWithEvents(1);
    const own = mkdtempSync(join(tmpdir(), 'roster-forged-'));
    try {
      await createAuditCheckpoints(rt.services, { dir: own, now: rt.clock.now() });
      const file = join(own, `${org.id}.checkpoints`);
      const [h, p, sig] = readFileSync(file, 'utf8').trim().split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { seq: number; hash: string };
      // Moved back to match a rewritten chain, with the original signature.
      const edited = Buffer.from(JSON.stringify({ ...payload, hash: 'f'.repeat(64) })).toString('base64url');
      // A key of the forger's, carried in the header as a checkpoint would carry ours.
      const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      const jwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(jwk);
      const foreign = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'EdDSA', typ: 'roster-audit-checkpoint+jws', kid, jwk })
        .sign(privateKey);
      // The forger's key under our kid: the embedded key no longer matches the recorded one.
      const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>;
      const underOurKid = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ ...(header as { alg: string }), jwk })
        .sign(privateKey);
      writeFileSync(
        file,
        [`${h}.${edited}.${sig}`, foreign, underOurKid, 'not a jws', `${h}.${p}.${sig}`].join('\n'),
      );
      const checks = (await verifyAuditCheckpoints(rt.services.db, own)).filter(
        (c) => c.file === `${org.id}.checkpoints`,
      );
      expect(checks.map((c) => [c.line, c.ok, c.problem])).toEqual([
        [1, false, 'bad_signature'],
        [2, false, 'unknown_key'],
        [3, false, 'unknown_key'],
        [4, false, 'malformed'],
        [5, true, undefined],
      ]);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('is written by the hourly scheduled task into AUDIT_CHECKPOINT_DIR', async () => {
    const { org } = await orgWithEvents(1);
    const own = mkdtempSync(join(tmpdir(), 'roster-scheduled-'));
    try {
      const task = scheduledTasks.find((t) => t.name === 'checkpoint-audit-chains')!;
      const services = { ...rt.services, config: { ...rt.services.config, auditCheckpointDir: own } };
      const r = await task.run(services, rt.clock.now(), {});
      expect(r.written).toBeGreaterThanOrEqual(1);
      const checks = ours(await verifyAuditCheckpoints(rt.services.db, own), org.id);
      expect(checks.map((c) => [c.seq, c.ok])).toEqual([[2, true]]);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
