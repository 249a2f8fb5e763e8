import type { CommandContext } from '../shared/context.js';
import { DomainError } from '../errors.js';
import { verifyAgainstDummy, verifyPassword } from './password-hash.js';
import {
  recordSignInFailure,
  reserveSignInAttempt,
  type SignInFailureReason,
  type SignInReservation,
} from './sign-in-throttle.js';

/**
 * A signed-in person proves their password again (changing it, step-up). Checked like a sign-in — the same
 * leases and counters, the account's and the source's (sign-in-throttle.ts) — so a stolen session cannot
 * guess it faster than the sign-in page allows, and a locked account or source is not tried (the work is
 * the same: a dummy hash). A wrong password counts a failure with `reason` and answers
 * CURRENT_PASSWORD_INCORRECT on `field`. A right one returns the reservation: the caller ends it with
 * `recordSignInSuccess` in its transaction, or `refundSignInAttempt` when it fails for another reason.
 */
export async function confirmOwnPassword(
  ctx: Pick<CommandContext, 'db' | 'meta'>,
  user: { id: string; org_id: string; password_hash: string | null },
  password: string,
  how: { reason: SignInFailureReason; field: string; wrongMessage: string; now: Date },
): Promise<SignInReservation> {
  const reservation = await reserveSignInAttempt(
    ctx.db,
    { source: `ip:${ctx.meta.ip ?? 'unknown'}`, accounts: [{ id: user.id, orgId: user.org_id }] },
    how.now,
  );
  const allowed = reservation.sourceAllowed && reservation.accounts.get(user.id)?.allowed === true;
  const ok =
    allowed && user.password_hash
      ? await verifyPassword(user.password_hash, password)
      : await verifyAgainstDummy(password);
  if (!ok) {
    await recordSignInFailure(ctx.db, reservation, [{ userId: user.id, reason: how.reason }], ctx.meta);
    throw new DomainError(
      'CURRENT_PASSWORD_INCORRECT',
      allowed ? how.wrongMessage : 'Too many failed attempts for now: wait a few minutes, then try again.',
      { field: how.field },
    );
  }
  return reservation;
}
