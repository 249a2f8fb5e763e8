import { authorizeAnywhere, authorizeOnUser } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction, type TransactionScope, type Tx } from '../../db/transaction.js';
import type { AuditAction } from '../audit/audit-actions.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import type { MfaChange } from '../notifications/templates.js';
import { revokeSessions } from '../sessions/revoke-sessions.js';
import { actorUserId, type CommandContext } from '../shared/context.js';
import { bumpVersion, lockUser } from '../users/user-record.js';

/** What one reset took away: the audit event's details, and the words the person's email names it by. */
export interface FactorsRemoved {
  changes: Record<string, unknown>;
  /** For the `mfa_changed` email: e.g. 'the passkey “YubiKey”' (none for a reset of everything). */
  factor?: string;
}

/**
 * The frame every administrator's reset of someone's factors shares (all of them, `resetUserFactors`, or
 * one, `resetUserFactor`): `security:manage` somewhere, then on the locked user (the target-role rule of
 * `authorizeOnUser`, before anything about the factors is revealed), not on oneself (one's own factors are
 * changed on "My security"), a recent authentication (step-up). Then, in one transaction under the user's
 * row lock: the version bump, `remove` (rows owned by the user, after the user's row: the lock order), the
 * person's open second-step challenges, every session of theirs (whoever held the factor is out), the audit
 * event and the `mfa_changed` email. A user whose role requires MFA and who is left without a satisfying
 * factor gets the enrolment restriction on the next sign-in (`openSignedInSession` reads the factors then).
 */
export async function resetFactorsOf<I extends { userId: string }>(
  ctx: CommandContext,
  what: { action: AuditAction & `user.${string}`; change: MfaChange },
  /** Parses the input, after the permission check (FORBIDDEN does not depend on the input). */
  parse: () => I,
  remove: (scope: TransactionScope, user: UserRow, input: I) => Promise<FactorsRemoved>,
): Promise<UserRow> {
  await authorizeAnywhere(ctx, 'security:manage');
  const input = parse();
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async (scope) => {
    const { trx } = scope;
    const user = await lockUser(trx, ctx.actor.orgId, input.userId);
    await authorizeOnUser(ctx, trx, 'security:manage', user, 'write');
    if (actorUserId(ctx.actor) === user.id) throw new DomainError('CANNOT_TARGET_SELF');
    await requireRecentAuthentication(ctx, trx);
    const updated = await trx
      .updateTable('users')
      .set({ updated_at: now, version: bumpVersion })
      .where('org_id', '=', user.org_id)
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const removed = await remove(scope, user, input);
    await trx
      .deleteFrom('mfa_challenges')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .execute();
    const ended = await revokeSessions(
      scope,
      ctx.revocations,
      { orgId: user.org_id, userId: user.id },
      what.action,
      now,
    );
    await recordAuditEvent(
      trx,
      user.org_id,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: what.action,
        targetType: 'user',
        targetId: user.id,
        changes: { ...removed.changes, sessionsEnded: ended.length },
      },
    );
    await notify(scope, ctx, {
      kind: 'mfa_changed',
      user: updated,
      change: what.change,
      causeId: `${user.id}:v${updated.version}`,
      ...(removed.factor ? { factor: removed.factor } : {}),
    });
    return updated;
  });
}

/** Deletes all of a person's recovery codes (used or not); how many there were. */
export async function deleteRecoveryCodes(trx: Tx, user: Pick<UserRow, 'org_id' | 'id'>): Promise<number> {
  const rows = await trx
    .deleteFrom('mfa_recovery_codes')
    .where('org_id', '=', user.org_id)
    .where('user_id', '=', user.id)
    .returning('id')
    .execute();
  return rows.length;
}
