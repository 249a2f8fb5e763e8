import { z } from 'zod';
import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { bumpVersion, lockUser } from '../users/user-record.js';

export const resetUserFactorsInput = z.object({ userId: z.string().max(64) }).strict();

/**
 * An administrator resets a person's second factors (a lost phone): every TOTP factor (confirmed or
 * pending), every recovery code and every unfinished second-step challenge go, and every session of the
 * person ends (whoever held the old factor is out). Needs `security:manage` on a user whose role ranks no
 * higher than the actor's (`authorizeOnUser`, checked before anything about the factors is revealed); one's
 * own factors are changed on "My security" instead. Audited (`user.mfa_reset`); the person is emailed.
 * Resetting someone with no factors is allowed (it still ends their sessions): the administrator acts on
 * what they were told, not on what they may see.
 */
export async function resetUserFactors(
  ctx: CommandContext,
  raw: z.input<typeof resetUserFactorsInput>,
): Promise<UserRow> {
  await authorizeAnywhere(ctx, 'security:manage');
  const input = parseInput(resetUserFactorsInput, raw);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const user = await lockUser(trx, ctx.actor.orgId, input.userId);
    await authorizeOnUser(ctx, trx, 'security:manage', user, 'write');
    if (ctx.actor.type === 'user' && ctx.actor.userId === user.id)
      throw new DomainError('CANNOT_TARGET_SELF');
    // Step-up: resetting someone's factors is a sensitive action.
    await requireRecentAuthentication(ctx, trx);
    const updated = await trx
      .updateTable('users')
      .set({ updated_at: now, version: bumpVersion })
      .where('org_id', '=', user.org_id)
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    // Rows owned by the user, after the user's row (lock order); then the sessions.
    const factors = await trx
      .deleteFrom('mfa_factors')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .returning(['id', 'kind', 'confirmed_at'])
      .execute();
    const codes = await trx
      .deleteFrom('mfa_recovery_codes')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .returning('id')
      .execute();
    await trx
      .deleteFrom('mfa_challenges')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .execute();
    // Passkeys are second factors too: "reset all" leaves the person with their password alone.
    const passkeys = await trx
      .deleteFrom('passkeys')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .returning(['id', 'name'])
      .execute();
    const ended = await revokeSessions(
      scope,
      ctx.revocations,
      { orgId: user.org_id, userId: user.id },
      'user.mfa_reset',
      now,
    );
    await recordAuditEvent(
      trx,
      user.org_id,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'user.mfa_reset',
        targetType: 'user',
        targetId: user.id,
        changes: {
          factorsRemoved: factors.filter((f) => f.confirmed_at).map((f) => ({ id: f.id, kind: f.kind })),
          pendingRemoved: factors.filter((f) => !f.confirmed_at).length,
          recoveryCodesRemoved: codes.length,
          passkeysRemoved: passkeys.map((p) => ({ id: p.id, name: p.name })),
          sessionsEnded: ended.length,
        },
      },
    );
    await notify(scope, ctx, {
      kind: 'mfa_changed',
      user: updated,
      change: 'factors_reset',
      causeId: `${user.id}:v${updated.version}`,
    });
    return updated;
  });
}
