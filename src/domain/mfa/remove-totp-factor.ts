import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import { verifyAgainstDummy, verifyPassword } from '../security/password-hash.js';
import {
  recordSignInFailure,
  refundSignInAttempt,
  reserveSignInAttempt,
} from '../security/sign-in-throttle.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { confirmedTotpFactorOf } from './factors.js';
import { spendTotpCode } from './spend-totp.js';

export const removeTotpFactorInput = z
  .object({
    currentPassword: z.string().max(1024).nullish(),
    code: z.string().max(32).nullish(),
  })
  .strict()
  .refine((i) => !!i.currentPassword !== !!i.code, {
    message: 'Give either the current password or a code from the app.',
    path: ['currentPassword'],
  });

/**
 * The signed-in person removes their own authenticator app, proving the current password or a code from
 * the app — checked like a sign-in (the same leases and counters, sign-in-throttle.ts), so a stolen session
 * cannot guess faster than the sign-in page allows. With the app go the recovery codes (they only back a
 * factor up): sign-in is one step again. Audited (`user.totp_removed`); the person is emailed.
 */
export async function removeTotpFactor(
  ctx: CommandContext,
  raw: z.input<typeof removeTotpFactorInput>,
): Promise<{ removed: true }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(removeTotpFactorInput, raw);
  const now = ctx.clock.now();
  const me = { org_id: actor.orgId, id: actor.userId };
  const row = await ctx.db
    .selectFrom('users')
    .select(['id', 'org_id', 'password_hash', 'status'])
    .where('org_id', '=', actor.orgId)
    .where('id', '=', actor.userId)
    .executeTakeFirst();
  if (!row || row.status !== 'active') throw new DomainError('UNAUTHENTICATED');
  const factor = await confirmedTotpFactorOf(ctx.db, me);
  if (!factor) throw new DomainError('MFA_NOT_ENROLLED');

  const reservation = await reserveSignInAttempt(
    ctx.db,
    { source: `ip:${ctx.meta.ip ?? 'unknown'}`, accounts: [{ id: row.id, orgId: row.org_id }] },
    now,
  );
  const allowed = reservation.sourceAllowed && reservation.accounts.get(row.id)?.allowed === true;
  let proven: boolean;
  if (input.code) proven = allowed && (await spendTotpCode(ctx.db, ctx.config, factor, input.code, now));
  else
    proven =
      allowed && row.password_hash
        ? await verifyPassword(row.password_hash, input.currentPassword!)
        : await verifyAgainstDummy(input.currentPassword!);
  if (!proven) {
    const reason = input.code ? 'second_factor' : 'wrong_current_password';
    await recordSignInFailure(ctx.db, reservation, [{ userId: row.id, reason }], ctx.meta);
    const tooMany = 'Too many failed attempts for now: wait a few minutes, then try again.';
    throw input.code
      ? new DomainError('MFA_CODE_INVALID', allowed ? undefined : tooMany, { field: 'code' })
      : new DomainError('CURRENT_PASSWORD_INCORRECT', allowed ? undefined : tooMany, {
          field: 'currentPassword',
        });
  }
  try {
    await withTransaction(ctx.db, async (scope) => {
      const { trx } = scope;
      const user = await lockUser(trx, actor.orgId, actor.userId);
      const gone = await trx
        .deleteFrom('mfa_factors')
        .where('org_id', '=', user.org_id)
        .where('id', '=', factor.id)
        .returning('id')
        .executeTakeFirst();
      if (!gone) throw new DomainError('MFA_NOT_ENROLLED');
      const codes = await trx
        .deleteFrom('mfa_recovery_codes')
        .where('org_id', '=', user.org_id)
        .where('user_id', '=', user.id)
        .returning('id')
        .execute();
      await recordAuditEvent(
        trx,
        user.org_id,
        { actor, meta: ctx.meta, now },
        {
          action: 'user.totp_removed',
          targetType: 'user',
          targetId: user.id,
          changes: {
            factorId: factor.id,
            provenWith: input.code ? 'totp' : 'password',
            recoveryCodesDeleted: codes.length,
          },
        },
      );
      await notify(scope, ctx, { kind: 'mfa_changed', user, change: 'totp_removed', causeId: factor.id });
    });
  } finally {
    // Not a failed guess: the attempt goes back uncounted (the count is reset only by a full sign-in).
    await refundSignInAttempt(ctx.db, reservation).catch(() => undefined);
  }
  return { removed: true };
}
