// The write path at full size (issue 10 item 0): 10 administrators at once suspend and reactivate users,
// then revoke users' sessions, over HTTP GraphQL against a Roster server that also runs the notice fan-out
// and the outbox (as ROSTER_ROLE=all does), with the organisation's default notice audiences. Baselines in
// the same run: the same transition as bare SQL (lock, UPDATE, audit append; revocation: UPDATE sessions +
// audit) at the same concurrency from this process, and one request at a time over HTTP.
// Targets (performance.md): p99 <= 30 ms, 0 errors, cost not growing with the number of administrators.
import { sql } from 'kysely';
import { withTransaction } from '../src/db/transaction.js';
import { recordAuditEvent } from '../src/domain/audit/record-audit-event.js';
import { hashPassword } from '../src/domain/security/password-hash.js';
import type { Services } from '../src/domain/shared/context.js';
import { lockUser } from '../src/domain/users/user-record.js';
import { normalizeEmail, searchTextOf } from '../src/domain/users/user-record.js';
import { prepareDataset, type BenchTarget } from './dataset.js';
import { post, signIn, startServer, type GraphQLResponse } from './http.js';
import { concurrently, paced, type Phase } from './phases.js';

export interface WritesOptions {
  /** Seconds of each concurrent phase. */
  duration: number;
  /** Concurrent administrators. */
  concurrency: number;
  /** Writes per second of all administrators together in the paced phases. */
  rate: number;
}

export interface WritesResult {
  kind: string;
  users: number;
  administrators: Record<string, number>;
  suspendReactivate: {
    http: Phase;
    /** The same administrators at a steady pace (`rate` writes/s together), not as fast as they can. */
    paced: Phase;
    single: Phase;
    bareSql: Phase;
    bareSqlSingle: Phase;
    p99Ratio: number;
    singleP50Ratio: number;
  };
  revoke: { http: Phase; paced: Phase; single: Phase; bareSql: Phase; p99Ratio: number };
  fanOut: { notices: number; recipients: number; maxRecipients: number; drainedMs: number | null };
}

const writerPassword = 'bench writer password 2026';
const writerEmail = (i: number) => `bench-writer-${i}@example.test`;

/** The concurrent administrators: created once (idempotent), role administrator. */
async function ensureWriters(s: Services, orgId: string, n: number): Promise<void> {
  const hash = await hashPassword(writerPassword);
  const now = s.clock.now();
  for (let i = 0; i < n; i += 1) {
    const email = writerEmail(i);
    await s.db
      .insertInto('users')
      .values({
        org_id: orgId,
        email,
        email_normalized: normalizeEmail(email),
        display_name: `Bench Writer ${i}`,
        search_text: searchTextOf(`Bench Writer ${i}`, email),
        role: 'administrator',
        status: 'active',
        password_hash: hash,
        created_at: now,
        updated_at: now,
        activated_at: now,
      })
      .onConflict((oc) => oc.columns(['org_id', 'email_normalized']).doNothing())
      .execute();
  }
}

/** Active viewers for the phases, in one keyset read (never an OFFSET), cut into `sizes` disjoint lists. */
async function pickTargets(s: Services, orgId: string, sizes: number[]): Promise<string[][]> {
  const rows = await s.db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('role', '=', 'viewer')
    .orderBy('id')
    .limit(sizes.reduce((a, b) => a + b, 0))
    .execute();
  const ids = rows.map((r) => r.id);
  let at = 0;
  return sizes.map((n) => ids.slice(at, (at += n)));
}

/** Splits `ids` into `parts` lists (one per administrator). */
const split = (ids: string[], parts: number) =>
  Array.from({ length: parts }, (_, p) => ids.filter((_x, i) => i % parts === p));

function errorOf(r: GraphQLResponse, field: string): string | null {
  if (r.errors?.length) return `${r.errors[0]?.extensions?.code ?? ''} ${r.errors[0]?.message ?? ''}`;
  const payload = (r.data as Record<string, { userErrors?: { code: string }[] }> | undefined)?.[field];
  if (!payload) return 'no payload';
  const ue = payload.userErrors ?? [];
  return ue.length > 0 ? ue.map((e) => e.code).join(',') : null;
}

const suspendDoc = `mutation($input: SuspendUserInput!) { suspendUser(input: $input) { user { id status } userErrors { code } } }`;
const reactivateDoc = `mutation($input: ReactivateUserInput!) { reactivateUser(input: $input) { user { id status } userErrors { code } } }`;
const revokeDoc = `mutation($input: RevokeUserSessionsInput!) { revokeUserSessions(input: $input) { revokedCount userErrors { code } } }`;

/** Exactly one open session per target, so every revocation really revokes (and notifies). */
async function giveSessions(s: Services, orgId: string, ids: string[]): Promise<void> {
  const now = s.clock.now();
  for (let i = 0; i < ids.length; i += 5000) {
    // Left open by an earlier run that stopped before reaching these targets.
    await sql`
      update sessions set revoked_at = ${now}, revoked_reason = 'bench setup'
      where org_id = ${orgId} and user_id = any(${ids.slice(i, i + 5000)}::uuid[]) and revoked_at is null`.execute(
      s.db,
    );
    await sql`
      insert into sessions (org_id, user_id, idle_expires_at, absolute_expires_at)
      select ${orgId}::uuid, u, ${new Date(now.getTime() + 3_600_000)}, ${new Date(now.getTime() + 86_400_000)}
      from unnest(${ids.slice(i, i + 5000)}::uuid[]) as u`.execute(s.db);
  }
}

export async function benchWrites(
  target: BenchTarget,
  users: number,
  o: WritesOptions,
  log: (line: string) => void,
): Promise<WritesResult> {
  const dataset = await prepareDataset(target, users);
  const s = dataset.runtime.services;
  const orgId = dataset.orgId;
  await ensureWriters(s, orgId, o.concurrency);
  const roles = await s.db
    .selectFrom('users')
    .select(['role', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('role', 'in', ['owner', 'administrator', 'security_officer', 'user_manager'])
    .groupBy('role')
    .execute();
  const administrators = Object.fromEntries(roles.map((r) => [r.role, Number(r.n)]));
  log(`writes: ${dataset.users} users; active administrators by role ${JSON.stringify(administrators)}`);

  // Disjoint target lists: suspend/reactivate, revoke (HTTP), revoke (SQL baseline), one at a time.
  const perPhase = 4000 * o.concurrency;
  const [lc, rvH, rvS, one] = await pickTargets(s, orgId, [perPhase, perPhase, perPhase, 4000]);
  const lifecycle = split(lc!, o.concurrency);
  const revokeHttp = split(rvH!, o.concurrency);
  const revokeSql = split(rvS!, o.concurrency);
  const single = one!;
  await giveSessions(s, orgId, [...rvH!, ...rvS!, ...single]);
  const startedAt = new Date();

  const server = await startServer({ ...target, env: { ...target.env, BENCH_DELIVERY_LOOP: '1' } });
  try {
    const tokens = await Promise.all(
      Array.from({ length: o.concurrency }, (_, i) =>
        signIn(server.url, { email: writerEmail(i), password: writerPassword }),
      ),
    );
    const gql = (w: number, query: string, input: object) =>
      post(server.url, { query, variables: { input } }, tokens[w]);
    // One worker's step: suspend on even steps, reactivate the same user on odd ones.
    const lifecycleStep = (lists: string[][]) => async (w: number, i: number) => {
      const list = lists[w]!;
      const userId = list[Math.floor(i / 2) % list.length]!;
      return i % 2 === 0
        ? errorOf(await gql(w, suspendDoc, { userId, reason: 'Benchmark' }), 'suspendUser')
        : errorOf(await gql(w, reactivateDoc, { userId }), 'reactivateUser');
    };
    const revokeStep = (lists: string[][]) => async (w: number, i: number) => {
      const userId = lists[w]![i];
      if (!userId) return 'exhausted';
      const r = await gql(w, revokeDoc, { userId });
      const err = errorOf(r, 'revokeUserSessions');
      const count = (r.data as { revokeUserSessions?: { revokedCount?: number } })?.revokeUserSessions
        ?.revokedCount;
      return err ?? (count === 1 ? null : `revokedCount ${count}`);
    };

    // Warm-up (plans, JIT), not measured.
    await concurrently(o.concurrency, 2, lifecycleStep(lifecycle.map((l) => l.slice(-50))));
    log('writes: suspend + reactivate, 10 concurrent administrators over HTTP...');
    const lcHttp = await concurrently(
      o.concurrency,
      o.duration,
      lifecycleStep(lifecycle.map((l) => l.slice(0, -50))),
    );
    log(`writes: suspend/reactivate ${JSON.stringify(lcHttp)}`);
    log(`writes: suspend + reactivate, ${o.concurrency} administrators at ${o.rate} writes/s together...`);
    const lcPaced = await paced(
      o.concurrency,
      o.rate,
      o.duration,
      lifecycleStep(lifecycle.map((l) => l.slice(2000, -50))),
    );
    log(`writes: suspend/reactivate paced ${JSON.stringify(lcPaced)}`);
    const lcSingle = await concurrently(1, Math.min(5, o.duration), lifecycleStep([single.slice(0, 2000)]));
    log(`writes: suspend/reactivate one at a time ${JSON.stringify(lcSingle)}`);

    log('writes: revoke sessions, 10 concurrent administrators over HTTP...');
    const rvHttp = await concurrently(o.concurrency, o.duration, revokeStep(revokeHttp));
    log(`writes: revoke ${JSON.stringify(rvHttp)}`);
    log(`writes: revoke sessions, ${o.concurrency} administrators at ${o.rate} writes/s together...`);
    const rvPaced = await paced(
      o.concurrency,
      o.rate,
      o.duration,
      revokeStep(revokeHttp.map((l) => l.slice(2000))),
    );
    log(`writes: revoke paced ${JSON.stringify(rvPaced)}`);
    const rvSingle = await concurrently(1, Math.min(5, o.duration), revokeStep([single.slice(2000)]));
    log(`writes: revoke one at a time ${JSON.stringify(rvSingle)}`);

    // Baselines: the same work as bare SQL, same concurrency, from this process (its own pool).
    const actor = { type: 'system' as const, orgId, name: 'bench' };
    const bareTransition = async (userId: string, to: 'suspended' | 'active') =>
      withTransaction(s.db, async ({ trx }) => {
        const u = await lockUser(trx, orgId, userId);
        const now = new Date();
        await trx
          .updateTable('users')
          .set({
            status: to,
            status_reason: to === 'active' ? null : 'Benchmark',
            status_changed_at: now,
            updated_at: now,
            version: sql`version + 1`,
          })
          .where('org_id', '=', orgId)
          .where('id', '=', userId)
          .execute();
        await recordAuditEvent(
          trx,
          orgId,
          { actor, meta: {}, now },
          {
            action: to === 'active' ? 'user.reactivated' : 'user.suspended',
            targetType: 'user',
            targetId: userId,
            changes: { status: { from: u.status, to } },
          },
        );
        return null;
      });
    const lcSql = await concurrently(o.concurrency, o.duration, async (w, i) => {
      const list = lifecycle[w]!;
      const userId = list[Math.floor(i / 2) % (list.length - 50)]!;
      return bareTransition(userId, i % 2 === 0 ? 'suspended' : 'active');
    });
    log(`writes: bare SQL suspend/reactivate ${JSON.stringify(lcSql)}`);
    const lcSqlSingle = await concurrently(1, Math.min(5, o.duration), async (_w, i) => {
      const list = lifecycle[0]!;
      return bareTransition(
        list[Math.floor(i / 2) % (list.length - 50)]!,
        i % 2 === 0 ? 'suspended' : 'active',
      );
    });
    log(`writes: bare SQL suspend/reactivate one at a time ${JSON.stringify(lcSqlSingle)}`);
    const rvSql = await concurrently(o.concurrency, o.duration, async (w, i) => {
      const userId = revokeSql[w]![i];
      if (!userId) return 'exhausted';
      return withTransaction(s.db, async ({ trx }) => {
        const now = new Date();
        const ids = await trx
          .updateTable('sessions')
          .set({ revoked_at: now, revoked_reason: 'user.sessions_revoked' })
          .where('org_id', '=', orgId)
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .returning('id')
          .execute();
        await recordAuditEvent(
          trx,
          orgId,
          { actor, meta: {}, now },
          {
            action: 'user.sessions_revoked',
            targetType: 'user',
            targetId: userId,
            changes: { sessionIds: ids.map((x) => x.id) },
          },
        );
        return ids.length === 1 ? null : `revoked ${ids.length}`;
      });
    });
    log(`writes: bare SQL revoke ${JSON.stringify(rvSql)}`);

    // The fan-out after commit: how many notices, how many recipients each, how long the backlog took.
    const t0 = performance.now();
    let drainedMs: number | null = null;
    while (performance.now() - t0 < 120_000) {
      const pending = await s.db
        .selectFrom('notices')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      if (Number(pending.n) === 0) {
        drainedMs = Math.round(performance.now() - t0);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const fan = await s.db
      .selectFrom('notices')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>('recipients').as('recipients'),
        eb.fn.max<number>('recipients').as('max'),
      ])
      .where('org_id', '=', orgId)
      .where('created_at', '>=', startedAt)
      .executeTakeFirstOrThrow();
    const fanOut = {
      notices: Number(fan.n),
      recipients: Number(fan.recipients ?? 0),
      maxRecipients: Number(fan.max ?? 0),
      drainedMs,
    };
    log(`writes: fan-out ${JSON.stringify(fanOut)}`);
    // Leave the dataset as found: a phase may end between a suspension and its reactivation.
    const left = await s.db
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', 'in', [...lc!, ...single])
      .where('status', '=', 'suspended')
      .execute();
    for (const u of left) await bareTransition(u.id, 'active');
    const ratio = (a: Phase, b: Phase) =>
      Math.round((a.latency.p99Ms / Math.max(0.001, b.latency.p99Ms)) * 100) / 100;
    return {
      kind: target.kind,
      users: dataset.users,
      administrators,
      suspendReactivate: {
        http: lcHttp,
        paced: lcPaced,
        single: lcSingle,
        bareSql: lcSql,
        bareSqlSingle: lcSqlSingle,
        p99Ratio: ratio(lcHttp, lcSql),
        singleP50Ratio:
          Math.round((lcSingle.latency.p50Ms / Math.max(0.001, lcSqlSingle.latency.p50Ms)) * 100) / 100,
      },
      revoke: {
        http: rvHttp,
        paced: rvPaced,
        single: rvSingle,
        bareSql: rvSql,
        p99Ratio: ratio(rvHttp, rvSql),
      },
      fanOut,
    };
  } finally {
    await server.stop();
    await dataset.runtime.close();
  }
}
