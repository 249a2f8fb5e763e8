import { randomUUID } from 'node:crypto';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import type { CommandContext } from '../shared/context.js';
import { lockUser } from '../users/user-record.js';
import { confirmedTotpFactorOf } from './factors.js';
import { replaceRecoveryCodes } from './recovery-code-store.js';

/**
 * The signed-in person gets 10 new recovery codes (returned once, stored hashed); every earlier code stops
 * working in the same transaction. Only with a confirmed factor (recovery codes back one up). Audited
 * (`user.recovery_codes_generated`); the person is emailed.
 */
export async function regenerateRecoveryCodes(ctx: CommandContext): Promise<{ recoveryCodes: string[] }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const user = await lockUser(trx, actor.orgId, actor.userId);
    if (user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
    if (!(await confirmedTotpFactorOf(trx, user))) throw new DomainError('MFA_NOT_ENROLLED');
    const before = await trx
      .selectFrom('mfa_recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    const recoveryCodes = await replaceRecoveryCodes(trx, user, now);
    await recordAuditEvent(
      trx,
      user.org_id,
      { actor, meta: ctx.meta, now },
      {
        action: 'user.recovery_codes_generated',
        targetType: 'user',
        targetId: user.id,
        changes: { count: recoveryCodes.length, replaced: Number(before.n) },
      },
    );
    await notify(scope, ctx, {
      kind: 'mfa_changed',
      user,
      change: 'recovery_codes_regenerated',
      causeId: randomUUID(),
    });
    return { recoveryCodes };
  });
}
