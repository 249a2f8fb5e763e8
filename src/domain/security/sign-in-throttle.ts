import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { withTransaction, type TransactionScope, type Tx } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import type { RequestMeta } from '../shared/context.js';

/**
 * Failed sign-in attempts, counted per account (users.failed_login_count / locked_until) and per source
 * (sign_in_throttle), with temporary lockouts whose wait doubles, and a hard lock after 100 consecutive
 * failures (NIST SP 800-63B), which only an administrator lifts. Every way of proving who you are (password
 * now; TOTP and SSO later) goes through `reserveSignInAttempt`, then `recordSignInSuccess`,
 * `refundSignInAttempt` or `recordSignInFailure`,
 * so there is one counter and no pathway around it.
 *
 * An attempt is counted as a failure BEFORE the credential is checked (a reservation) and refunded when it
 * succeeds, so that concurrent guesses each use up one attempt: a burst of requests cannot all slip through
 * before the first failure is written.
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
  /** The lock this attempt put on the source, if any (undone only if still the same when refunded). */
  sourceLockSet: Date | null;
  /** Per account: whether it may be tried now, its failure count including this attempt, the lock it set. */
  accounts: Map<string, { orgId: string; allowed: boolean; failures: number; lockSet: Date | null }>;
  now: Date;
}

/** Counts one attempt against the source and each account that may be tried; locked ones are not tried. */
export async function reserveSignInAttempt(
  db: Kysely<DB>,
  attempt: { source: string; accounts: readonly AttemptAccount[] },
  now: Date,
): Promise<SignInReservation> {
  return withTransaction(db, async ({ trx }) => {
    const accounts: SignInReservation['accounts'] = new Map();
    const source = await reserveSource(trx, attempt.source, now);
    const sourceAllowed = source.allowed;
    for (const a of attempt.accounts) {
      const row = await trx
        .selectFrom('users')
        .select(['failed_login_count', 'locked_until'])
        .where('org_id', '=', a.orgId)
        .where('id', '=', a.id)
        .forUpdate()
        .executeTakeFirst();
      if (!row || !sourceAllowed || isLocked(row.locked_until, now)) {
        accounts.set(a.id, {
          orgId: a.orgId,
          allowed: false,
          failures: row?.failed_login_count ?? 0,
          lockSet: null,
        });
        continue;
      }
      const failures = row.failed_login_count + 1;
      const lockSet = lockoutAfter(failures, throttleRules.accountFreeFailures, now, true);
      await trx
        .updateTable('users')
        .set({ failed_login_count: failures, locked_until: lockSet })
        .where('org_id', '=', a.orgId)
        .where('id', '=', a.id)
        .execute();
      accounts.set(a.id, { orgId: a.orgId, allowed: true, failures, lockSet });
    }
    return { source: attempt.source, sourceAllowed, sourceLockSet: source.lockSet, accounts, now };
  });
}

async function reserveSource(
  trx: Tx,
  source: string,
  now: Date,
): Promise<{ allowed: boolean; lockSet: Date | null }> {
  await trx
    .insertInto('sign_in_throttle')
    .values({ source, failures: 0, window_start: now })
    .onConflict((oc) => oc.column('source').doNothing())
    .execute();
  const row = await trx
    .selectFrom('sign_in_throttle')
    .selectAll()
    .where('source', '=', source)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (isLocked(row.locked_until, now)) return { allowed: false, lockSet: null };
  const fresh = now.getTime() - row.window_start.getTime() > throttleRules.sourceWindowMs;
  const failures = (fresh ? 0 : row.failures) + 1;
  const lockSet = lockoutAfter(failures, throttleRules.sourceFreeFailures, now);
  await trx
    .updateTable('sign_in_throttle')
    .set({ failures, window_start: fresh ? now : row.window_start, locked_until: lockSet })
    .where('source', '=', source)
    .execute();
  return { allowed: true, lockSet };
}

const sameTime = (a: Date | null, b: Date | null) => a !== null && b !== null && a.getTime() === b.getTime();

/**
 * The attempt proved the credential and signed in: the account's count starts again (NIST: consecutive
 * failures) and the source gets its reserved attempt back.
 */
export async function recordSignInSuccess(
  trx: Tx,
  reservation: SignInReservation,
  userId: string,
): Promise<void> {
  const a = reservation.accounts.get(userId);
  if (a) {
    await trx
      .updateTable('users')
      .set({ failed_login_count: 0, locked_until: null })
      .where('org_id', '=', a.orgId)
      .where('id', '=', userId)
      .execute();
  }
  await refundSource(trx, reservation);
}

/**
 * The attempt is not a failure but signed nobody in (the password was right for one of several accounts
 * and the organisation must be named): each account tried gets this attempt back — only this one, so that
 * knowing one account's password never wipes another account's count — and loses a lock only if this very
 * attempt set it.
 */
export async function refundSignInAttempt(trx: Tx, reservation: SignInReservation): Promise<void> {
  for (const [id, a] of reservation.accounts) {
    if (!a.allowed) continue;
    const row = await trx
      .selectFrom('users')
      .select(['failed_login_count', 'locked_until'])
      .where('org_id', '=', a.orgId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) continue;
    await trx
      .updateTable('users')
      .set({
        failed_login_count: Math.max(0, row.failed_login_count - 1),
        locked_until: sameTime(row.locked_until, a.lockSet) ? null : row.locked_until,
      })
      .where('org_id', '=', a.orgId)
      .where('id', '=', id)
      .execute();
  }
  await refundSource(trx, reservation);
}

async function refundSource(trx: Tx, reservation: SignInReservation): Promise<void> {
  const row = await trx
    .selectFrom('sign_in_throttle')
    .select(['failures', 'locked_until'])
    .where('source', '=', reservation.source)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return;
  await trx
    .updateTable('sign_in_throttle')
    .set({
      failures: Math.max(0, row.failures - 1),
      locked_until: sameTime(row.locked_until, reservation.sourceLockSet) ? null : row.locked_until,
    })
    .where('source', '=', reservation.source)
    .execute();
}

export type SignInFailureReason = 'wrong_password' | 'no_password' | 'not_active' | 'second_factor';

/**
 * The attempt failed: the count was already taken by the reservation; this writes the audit trail of the
 * accounts that were tried (one `session.sign_in_failed` each) and `user.sign_in_locked` when this failure
 * reached the hard lock. Accounts that were locked and not tried are not audited again.
 */
export async function recordSignInFailure(
  db: Kysely<DB>,
  reservation: SignInReservation,
  failures: readonly { userId: string; reason: SignInFailureReason }[],
  meta: RequestMeta,
): Promise<void> {
  const tried = failures.filter((f) => reservation.accounts.get(f.userId)?.allowed);
  if (tried.length === 0) return;
  await withTransaction(db, (scope) => auditFailures(scope, reservation, tried, meta));
}

async function auditFailures(
  scope: TransactionScope,
  reservation: SignInReservation,
  tried: readonly { userId: string; reason: SignInFailureReason }[],
  meta: RequestMeta,
): Promise<void> {
  for (const f of tried) {
    const a = reservation.accounts.get(f.userId)!;
    const actor = { type: 'system' as const, orgId: a.orgId, name: 'sign-in' };
    const write = { actor, meta, now: reservation.now };
    await recordAuditEvent(scope.trx, a.orgId, write, {
      action: 'session.sign_in_failed',
      targetType: 'user',
      targetId: f.userId,
      changes: { reason: f.reason, consecutiveFailures: a.failures },
    });
    if (a.failures === throttleRules.hardLockAfter) {
      await recordAuditEvent(scope.trx, a.orgId, write, {
        action: 'user.sign_in_locked',
        targetType: 'user',
        targetId: f.userId,
        reason: `${throttleRules.hardLockAfter} consecutive failed sign-in attempts; an administrator must unlock the account.`,
      });
    }
  }
}
