import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { lockUser } from '../users/user-record.js';
import { liftEnrolmentRestrictionOf } from './enrolment-restriction.js';
import { listFactors, type MfaFactorRow } from './factors.js';
import { recoveryCodesRemaining } from './factors.js';
import { replaceRecoveryCodes } from './recovery-code-store.js';
import { spendTotpCode } from './spend-totp.js';

export const confirmTotpEnrolmentInput = z
  .object({
    code: z.string().max(32),
    /** What the person calls the app ("Phone"); defaults to "Authenticator app". */
    name: z.string().trim().min(1).max(64).nullish(),
  })
  .strict();

/**
 * The first code from the app proves it holds the secret: the pending factor becomes confirmed (and that
 * code's step is spent, so it cannot sign in again). When the person has no unused recovery codes, a first
 * batch of 10 is made and returned here, once. Audited (`user.totp_added`, and
 * `user.recovery_codes_generated`); the person is emailed that an authenticator was added.
 */
export async function confirmTotpEnrolment(
  ctx: CommandContext,
  raw: z.input<typeof confirmTotpEnrolmentInput>,
): Promise<{ factor: MfaFactorRow; recoveryCodes: string[] | null }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(confirmTotpEnrolmentInput, raw);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const user = await lockUser(trx, actor.orgId, actor.userId);
    if (user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
    const pending = await trx
      .selectFrom('mfa_factors')
      .selectAll()
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .where('kind', '=', 'totp')
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    if (!pending) throw new DomainError('MFA_NOT_ENROLLED');
    const ok = await spendTotpCode(trx, ctx.config, pending, input.code, now, { pendingOk: true });
    if (!ok) throw new DomainError('MFA_CODE_INVALID', undefined, { field: 'code' });
    const factor = await trx
      .updateTable('mfa_factors')
      .set({ confirmed_at: now, ...(input.name ? { name: input.name } : {}) })
      .where('id', '=', pending.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const recoveryCodes =
      (await recoveryCodesRemaining(trx, user)) === 0 ? await replaceRecoveryCodes(trx, user, now) : null;
    const write = { actor, meta: ctx.meta, now };
    await recordAuditEvent(trx, user.org_id, write, {
      action: 'user.totp_added',
      targetType: 'user',
      targetId: user.id,
      changes: { factorId: factor.id, name: factor.name, factors: (await listFactors(trx, user)).length },
    });
    if (recoveryCodes) {
      await recordAuditEvent(trx, user.org_id, write, {
        action: 'user.recovery_codes_generated',
        targetType: 'user',
        targetId: user.id,
        changes: { count: recoveryCodes.length, replaced: 0 },
      });
    }
    await notify(scope, ctx, { kind: 'mfa_changed', user, change: 'totp_added', causeId: factor.id });
    // An enrolment-only session of theirs becomes an ordinary one, if this satisfies the policy.
    await liftEnrolmentRestrictionOf(trx, user, now);
    return { factor, recoveryCodes };
  });
}
