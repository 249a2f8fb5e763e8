import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { withTransaction, type TransactionScope, type Tx } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { RequestMeta } from '../shared/context.js';

/**
 * Failed sign-in attempts, counted per account (users.failed_login_count / locked_until) and per source
 * (sign_in_throttle), with temporary lockouts whose wait doubles, and a hard lock after 100 consecutive
 * failures (NIST SP 800-63B), which only an administrator lifts. Every way of proving who you are (password
 * now; TOTP and SSO later) goes through `reserveSignInAttempt`, then `recordSignInSuccess`,
 * `refundSignInAttempt` or `recordSignInFailure`, so there is one counter and no pathway around it.
 *
 * A failure is counted only once the credential has been checked and was wrong. So that a burst of
 * concurrent guesses cannot all be tried before the first failure is written, an attempt first takes a
 * lease (an attempt in flight) on each account and on its source, and only as many leases are granted as
 * the account or source has failures left before its lockout (at least one). An attempt that finds no lease
 * free waits (this process wakes it when one is given back; other instances' are seen by polling) and then
 * looks again, so 50 concurrent sign-ins with the right password all succeed, a few at a time, and 50 wrong
 * ones count exactly up to the lockout and are then refused as locked. After `leaseWaitMs` without a lease
 * the attempt answers SIGN_IN_FAILED without counting anything: retrying later works.
 *
 * No row lock is held while a password is hashed. Leases are taken and given back by single autocommit
 * statements (accounts in id order, then the source); a failure is counted on the accounts in the
 * transaction that audits it, on the source in one statement after it. A lease whose holder died expires
 * after `leaseTtlMs`. See "Lock order" in docs/ARCHITECTURE.md.
 */
export const throttleRules = {
  /** Failures before an account waits; the wait starts at `baseWaitMs` and doubles per further failure. */
  accountFreeFailures: 5,
  /** A source (IP address) shared by many people gets more room. */
  sourceFreeFailures: 20,
  baseWaitMs: 60_000,
  maxWaitMs: 3_600_000,
  /** Consecutive failures after which the account is locked until an administrator unlocks it. */
  hardLockAfter: 100,
  /** A source's count starts again after an hour without being locked. */
  sourceWindowMs: 3_600_000,
  /** A lease outlives any real attempt (a hash takes ~20 ms) by far; it only bounds a crashed holder's. */
  leaseTtlMs: 30_000,
  /** How long an attempt waits for a lease before it is refused (real time, not the injected clock). */
  leaseWaitMs: 15_000,
} as const;

/** "Locked until an administrator acts", stored as a date far in the future. */
export const hardLockUntil = new Date('9999-12-31T00:00:00Z');

/** Pure: until when an account or source with `failures` consecutive failures must wait, if at all. */
export function lockoutAfter(
  failures: number,
  freeFailures: number,
  now: Date,
  hardLock = false,
): Date | null {
  if (hardLock && failures >= throttleRules.hardLockAfter) return hardLockUntil;
  if (failures < freeFailures) return null;
  const wait = Math.min(throttleRules.baseWaitMs * 2 ** (failures - freeFailures), throttleRules.maxWaitMs);
  return new Date(now.getTime() + wait);
}

export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime();
}

export interface AttemptAccount {
  id: string;
  orgId: string;
}

export interface SignInReservation {
  source: string;
  sourceAllowed: boolean;
  /** The source's lease, given back (or counted as a failure) when the attempt ends. */
  sourceLease: string | null;
  /** Per account: whether it may be tried now (it holds a lease) or was locked and is not tried. */
  accounts: Map<string, { orgId: string; allowed: boolean; lease: string | null }>;
  now: Date;
}

type LeaseOutcome = 'granted' | 'locked' | 'busy';

/**
 * Attempts of this process waiting for a lease, per account (`user:<id>`) or source (`source:<key>`): each
 * lease given back here wakes the longest waiter for that key, one per lease, so a burst does not stampede.
 * Leases given back by other instances are found by the waiter's own polling.
 */
const waiters = new Map<string, Set<() => void>>();
const accountKey = (id: string) => `user:${id}`;
const sourceKey = (source: string) => `source:${source}`;
function wake(key: string): void {
  const set = waiters.get(key);
  const first = set?.values().next().value;
  if (first) first();
}
function leaseFreed(key: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let set = waiters.get(key);
    if (!set) waiters.set(key, (set = new Set()));
    const done = () => {
      clearTimeout(t);
      set.delete(done);
      if (set.size === 0 && waiters.get(key) === set) waiters.delete(key);
      resolve();
    };
    const t = setTimeout(done, ms);
    set.add(done);
  });
}

/**
 * Takes a lease on each account that may be tried and on the source. A locked account is not tried; a
 * locked source tries nothing. Waits while any of them has no lease free. Each lease is one autocommit
 * statement: no transaction holds a row across a round trip to this process (whose event loop shares its
 * cores with the hashing), so the source row that everyone behind one address shares never queues them.
 */
export async function reserveSignInAttempt(
  db: Kysely<DB>,
  attempt: { source: string; accounts: readonly AttemptAccount[] },
  now: Date,
): Promise<SignInReservation> {
  const deadline = Date.now() + throttleRules.leaseWaitMs;
  const ordered = [...attempt.accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const refused = (): SignInReservation => ({
    source: attempt.source,
    sourceAllowed: false,
    sourceLease: null,
    accounts: new Map(),
    now,
  });
  for (let pause = 5; ; pause = Math.min(pause * 2, 50)) {
    const accounts: SignInReservation['accounts'] = new Map();
    let busy: string | null = null;
    if (ordered.length === 1) {
      // The usual attempt (one account): both leases in one statement, as the lock order has it (the user's
      // row, then the source's), each held only for that statement.
      const a = ordered[0]!;
      const accountLease = randomUUID();
      const sourceLease = randomUUID();
      const both = await leaseAccountAndSource(db, a, attempt.source, accountLease, sourceLease, now);
      if (both.account && both.source) {
        accounts.set(a.id, { orgId: a.orgId, allowed: true, lease: accountLease });
        return { source: attempt.source, sourceAllowed: true, sourceLease, accounts, now };
      }
      // Not both: the slower path below finds out which, and why (a lease taken here is given back there
      // or kept, exactly as when it was taken alone).
      if (both.account) await releaseAccount(db, a.id, { orgId: a.orgId, lease: accountLease });
    }
    for (const a of ordered) {
      const lease = randomUUID();
      const outcome = await leaseAccount(db, a, lease, now);
      if (outcome === 'busy') {
        busy = accountKey(a.id);
        break;
      }
      const allowed = outcome === 'granted';
      accounts.set(a.id, { orgId: a.orgId, allowed, lease: allowed ? lease : null });
    }
    const sourceLease = randomUUID();
    const source = busy ? 'busy' : await leaseSource(db, attempt.source, sourceLease, now);
    busy ??= sourceKey(attempt.source);
    if (source === 'granted') {
      return { source: attempt.source, sourceAllowed: true, sourceLease, accounts, now };
    }
    // Nothing is tried: give back the leases just taken.
    for (const [id, a] of accounts) {
      await releaseAccount(db, id, a);
      if (a.lease) wake(accountKey(id));
    }
    if (source === 'locked' || Date.now() >= deadline) return refused();
    await leaseFreed(busy, pause);
  }
}

/** The leases still live at `now`, as an SQL expression over a `leases` column. */
const liveLeases = (column: string, nowMs: number) =>
  sql`(select coalesce(jsonb_object_agg(l.key, l.value), '{}'::jsonb) from jsonb_each(${sql.ref(column)}) l where (l.value #>> '{}')::bigint > ${nowMs})`;
export const liveLeaseCount = (column: string, nowMs: number) =>
  sql`(select count(*) from jsonb_each(${sql.ref(column)}) l where (l.value #>> '{}')::bigint > ${nowMs})`;

/**
 * The account's lease and, only if that was granted, the source's, in one statement: the same conditions
 * as `leaseAccount` and `leaseSource`. A round trip saved per sign-in is CPU saved on the core that hashes.
 */
async function leaseAccountAndSource(
  db: Kysely<DB>,
  a: AttemptAccount,
  source: string,
  accountLease: string,
  sourceLease: string,
  now: Date,
): Promise<{ account: boolean; source: boolean }> {
  const nowMs = now.getTime();
  const windowStart = new Date(nowMs - throttleRules.sourceWindowMs);
  const expiry = nowMs + throttleRules.leaseTtlMs;
  const r = await sql<{ account: boolean; source: boolean }>`
    with account as (
      update users
         set sign_in_leases = ${liveLeases('users.sign_in_leases', nowMs)}
                              || jsonb_build_object(${accountLease}::text, ${expiry}::bigint)
       where org_id = ${a.orgId} and id = ${a.id}
         and (locked_until is null or locked_until <= ${now})
         and ${liveLeaseCount('users.sign_in_leases', nowMs)}
             < greatest(${throttleRules.accountFreeFailures}::int - failed_login_count, 1)
      returning id
    ), src as (
      insert into sign_in_throttle as t (source, failures, window_start, leases)
      select ${source}, 0, ${now}::timestamptz, jsonb_build_object(${sourceLease}::text, ${expiry}::bigint)
       where exists (select 1 from account)
      on conflict (source) do update
         set leases = ${liveLeases('t.leases', nowMs)} || jsonb_build_object(${sourceLease}::text, ${expiry}::bigint)
       where (t.locked_until is null or t.locked_until <= ${now})
         and ${liveLeaseCount('t.leases', nowMs)}
             < greatest(${throttleRules.sourceFreeFailures}::int
                        - (case when t.window_start < ${windowStart} then 0 else t.failures end), 1)
      returning source
    )
    select exists (select 1 from account) as account, exists (select 1 from src) as source`.execute(db);
  const row = r.rows[0];
  return { account: row?.account === true, source: row?.source === true };
}

/**
 * One conditional UPDATE grants the lease: not locked, and fewer live leases than the failures left before
 * the lockout (at least one). PostgreSQL re-checks the condition on the newest row version when it waited
 * for a concurrent writer, so two attempts can never both take the last lease.
 */
async function leaseAccount(
  db: Kysely<DB>,
  a: AttemptAccount,
  lease: string,
  now: Date,
): Promise<LeaseOutcome> {
  const nowMs = now.getTime();
  const granted = await sql<{ id: string }>`
    update users
       set sign_in_leases = ${liveLeases('users.sign_in_leases', nowMs)}
                            || jsonb_build_object(${lease}::text, ${nowMs + throttleRules.leaseTtlMs}::bigint)
     where org_id = ${a.orgId} and id = ${a.id}
       and (locked_until is null or locked_until <= ${now})
       and ${liveLeaseCount('users.sign_in_leases', nowMs)}
           < greatest(${throttleRules.accountFreeFailures}::int - failed_login_count, 1)
    returning id`.execute(db);
  if (granted.rows.length > 0) return 'granted';
  const row = await db
    .selectFrom('users')
    .select('locked_until')
    .where('org_id', '=', a.orgId)
    .where('id', '=', a.id)
    .executeTakeFirst();
  // A vanished account is treated as locked: not tried, the same answer as any other.
  if (!row) return 'locked';
  return isLocked(row.locked_until, now) ? 'locked' : 'busy';
}

/** The source's lease, by one upsert: a new source starts with this lease; a known one by the rule above. */
async function leaseSource(db: Kysely<DB>, source: string, lease: string, now: Date): Promise<LeaseOutcome> {
  const nowMs = now.getTime();
  const windowStart = new Date(nowMs - throttleRules.sourceWindowMs);
  const expiry = nowMs + throttleRules.leaseTtlMs;
  const granted = await sql<{ source: string }>`
    insert into sign_in_throttle as t (source, failures, window_start, leases)
    values (${source}, 0, ${now}, jsonb_build_object(${lease}::text, ${expiry}::bigint))
    on conflict (source) do update
       set leases = ${liveLeases('t.leases', nowMs)} || jsonb_build_object(${lease}::text, ${expiry}::bigint)
     where (t.locked_until is null or t.locked_until <= ${now})
       and ${liveLeaseCount('t.leases', nowMs)}
           < greatest(${throttleRules.sourceFreeFailures}::int
                      - (case when t.window_start < ${windowStart} then 0 else t.failures end), 1)
    returning source`.execute(db);
  if (granted.rows.length > 0) return 'granted';
  const row = await db
    .selectFrom('sign_in_throttle')
    .select('locked_until')
    .where('source', '=', source)
    .executeTakeFirst();
  return row && isLocked(row.locked_until, now) ? 'locked' : 'busy';
}

async function releaseAccount(db: Kysely<DB>, id: string, a: { orgId: string; lease: string | null }) {
  if (!a.lease) return;
  await db
    .updateTable('users')
    .set({ sign_in_leases: sql`sign_in_leases - ${a.lease}::text` })
    .where('org_id', '=', a.orgId)
    .where('id', '=', id)
    .execute();
}

/**
 * The source's lease goes back after the attempt's transaction has committed, in a statement of its own:
 * the row every client behind one address shares is never held while that transaction appends its audit
 * events and commits. Should this process die in between, the lease expires.
 */
function releaseSourceAfterCommit(scope: TransactionScope, db: Kysely<DB>, reservation: SignInReservation) {
  const lease = reservation.sourceLease;
  if (!lease) return;
  scope.onCommit(async () => {
    await db
      .updateTable('sign_in_throttle')
      .set({ leases: sql`leases - ${lease}::text` })
      .where('source', '=', reservation.source)
      .execute();
    wake(sourceKey(reservation.source));
  });
}

/** Account ids of a reservation in lock order (id ascending). */
const inLockOrder = (r: SignInReservation) => [...r.accounts.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

/**
 * The attempt proved the credential and signed in (in the caller's transaction, which already holds the
 * user's row): the account's count starts again (NIST: consecutive failures); every lease goes back (the
 * source's after commit).
 */
export async function recordSignInSuccess(
  scope: TransactionScope,
  db: Kysely<DB>,
  reservation: SignInReservation,
  userId: string,
  /** The caller's own update of the user's row has already reset its count and given its lease back. */
  opts: { countReset?: boolean } = {},
): Promise<void> {
  for (const [id, a] of inLockOrder(reservation)) {
    if (id !== userId) await releaseAccount(scope.trx, id, a);
    else if (!opts.countReset) {
      await scope.trx
        .updateTable('users')
        .set({
          failed_login_count: 0,
          locked_until: null,
          sign_in_leases: a.lease ? sql`sign_in_leases - ${a.lease}::text` : sql`sign_in_leases`,
        })
        .where('org_id', '=', a.orgId)
        .where('id', '=', userId)
        .execute();
    }
    if (a.lease) scope.onCommit(() => wake(accountKey(id)));
  }
  releaseSourceAfterCommit(scope, db, reservation);
}

/**
 * The attempt is not a failure but signed nobody in (the password was right for one of several accounts
 * and the organisation must be named, an invitation link was usable, or the sign-in could not complete):
 * nothing is counted, every lease goes back.
 */
export async function refundSignInAttempt(db: Kysely<DB>, reservation: SignInReservation): Promise<void> {
  for (const [id, a] of inLockOrder(reservation)) {
    await releaseAccount(db, id, a);
    if (a.lease) wake(accountKey(id));
  }
  if (reservation.sourceLease) {
    await db
      .updateTable('sign_in_throttle')
      .set({ leases: sql`leases - ${reservation.sourceLease}::text` })
      .where('source', '=', reservation.source)
      .execute();
    wake(sourceKey(reservation.source));
  }
}

export type SignInFailureReason =
  | 'wrong_password'
  | 'no_password'
  | 'not_active'
  | 'second_factor'
  /** changeMyPassword: the current password given was wrong (it counts like a failed sign-in). */
  | 'wrong_current_password'
  /** finishPasskeySignIn: an assertion for one of the account's passkeys did not verify. */
  | 'passkey_invalid'
  /** finishPasskeySignIn: the passkey's signature counter went backwards (a cloned authenticator?). */
  | 'passkey_counter_regressed'
  /** reauthenticate (step-up): the password given to confirm a session was wrong. */
  | 'wrong_reauthentication_password'
  /** reauthenticate (step-up): the authenticator app's code given was wrong or already used. */
  | 'wrong_reauthentication_code'
  /** reauthenticate (step-up): a passkey assertion did not verify, or answered no live challenge. */
  | 'reauthentication_passkey_invalid';

/**
 * The attempt failed: one failure is counted on each account that was tried and on the source, their
 * lockouts set when due, their leases given back; the accounts tried are audited (`session.sign_in_failed`
 * each, and `user.sign_in_locked` when this failure reached the hard lock). Accounts that were locked and
 * not tried are neither counted nor audited again.
 */
export async function recordSignInFailure(
  db: Kysely<DB>,
  reservation: SignInReservation,
  failures: readonly { userId: string; reason: SignInFailureReason }[],
  meta: RequestMeta,
): Promise<void> {
  if (!reservation.sourceAllowed) return;
  const reasons = new Map(failures.map((f) => [f.userId, f.reason]));
  await withTransaction(db, async (scope) => {
    for (const [id, a] of inLockOrder(reservation)) {
      const reason = reasons.get(id);
      if (!a.allowed) continue;
      scope.onCommit(() => wake(accountKey(id)));
      if (!reason) {
        await releaseAccount(scope.trx, id, a);
        continue;
      }
      const failuresNow = await countAccountFailure(scope.trx, id, a, reservation.now);
      await auditFailure(
        scope,
        reservation,
        { userId: id, orgId: a.orgId, reason, failures: failuresNow },
        meta,
      );
    }
  });
  await countSourceFailure(db, reservation);
}

async function countAccountFailure(
  trx: Tx,
  id: string,
  a: { orgId: string; lease: string | null },
  now: Date,
): Promise<number> {
  const row = await trx
    .updateTable('users')
    .set({
      failed_login_count: sql`failed_login_count + 1`,
      last_failed_login_at: now,
      sign_in_leases: a.lease ? sql`sign_in_leases - ${a.lease}::text` : sql`sign_in_leases`,
    })
    .where('org_id', '=', a.orgId)
    .where('id', '=', id)
    .returning('failed_login_count')
    .executeTakeFirst();
  if (!row) return 0;
  const lockSet = lockoutAfter(row.failed_login_count, throttleRules.accountFreeFailures, now, true);
  if (lockSet) {
    await trx
      .updateTable('users')
      .set({ locked_until: lockSet })
      .where('org_id', '=', a.orgId)
      .where('id', '=', id)
      .execute();
  }
  return row.failed_login_count;
}

/**
 * One statement: the source's failure counted (its window started again when it had passed), its lockout
 * set when due (the wait doubling from `baseWaitMs` per failure past the free ones, capped, as
 * `lockoutAfter`), its lease given back.
 */
async function countSourceFailure(db: Kysely<DB>, reservation: SignInReservation): Promise<void> {
  const now = reservation.now;
  const windowStart = new Date(now.getTime() - throttleRules.sourceWindowMs);
  const r = throttleRules;
  const failures = sql<number>`((case when window_start < ${windowStart} then 0 else failures end) + 1)`;
  await db
    .updateTable('sign_in_throttle')
    .set({
      failures,
      window_start: sql`case when window_start < ${windowStart} then ${now}::timestamptz else window_start end`,
      locked_until: sql`case when ${failures} >= ${r.sourceFreeFailures}::int
        then ${now}::timestamptz + least(${r.baseWaitMs}::float8 * power(2, ${failures} - ${r.sourceFreeFailures}::int),
                                         ${r.maxWaitMs}::float8) * interval '1 millisecond'
        else null end`,
      leases: reservation.sourceLease ? sql`leases - ${reservation.sourceLease}::text` : sql`leases`,
    })
    .where('source', '=', reservation.source)
    .execute();
  if (reservation.sourceLease) wake(sourceKey(reservation.source));
}

/** A failure from a source that tried no account (an unusable invitation link): the source counts it. */
export async function recordSourceFailure(db: Kysely<DB>, reservation: SignInReservation): Promise<void> {
  if (!reservation.sourceAllowed) return;
  await countSourceFailure(db, reservation);
}

async function auditFailure(
  scope: TransactionScope,
  reservation: SignInReservation,
  f: { userId: string; orgId: string; reason: SignInFailureReason; failures: number },
  meta: RequestMeta,
): Promise<void> {
  const actor = { type: 'system' as const, orgId: f.orgId, name: 'sign-in' };
  const write = { actor, meta, now: reservation.now };
  await recordAuditEvent(scope.trx, f.orgId, write, {
    action: 'session.sign_in_failed',
    targetType: 'user',
    targetId: f.userId,
    changes: { reason: f.reason, consecutiveFailures: f.failures },
  });
  if (f.failures === throttleRules.hardLockAfter) {
    await recordAuditEvent(scope.trx, f.orgId, write, {
      action: 'user.sign_in_locked',
      targetType: 'user',
      targetId: f.userId,
      reason: `${throttleRules.hardLockAfter} consecutive failed sign-in attempts; an administrator must unlock the account.`,
    });
  }
}
