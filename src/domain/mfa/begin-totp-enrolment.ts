import { randomUUID } from 'node:crypto';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { resolveSecretKey } from '../keys/secret-key.js';
import type { CommandContext } from '../shared/context.js';
import { lockUser } from '../users/user-record.js';
import { sealFactorSecret } from './secret-seal.js';
import { base32Of, newTotpSecret, otpauthUri } from './totp.js';

export interface TotpEnrolment {
  factorId: string;
  /** `otpauth://totp/…` for the QR code: issuer = the organisation's name, label = the person's email. */
  otpauthUri: string;
  /** The same secret in base32, for typing into an app by hand. */
  secret: string;
}

/**
 * The signed-in person starts setting up an authenticator app: a new secret, sealed at rest, pending until
 * `confirmTotpEnrolment` proves a first code. An earlier pending enrolment is replaced; with a confirmed
 * app already there the answer is MFA_ALREADY_ENROLLED (remove it first). Audited; no notice yet (nothing
 * protects the account until confirmed).
 */
export async function beginTotpEnrolment(ctx: CommandContext): Promise<TotpEnrolment> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const key = await resolveSecretKey(ctx.config);
  const now = ctx.clock.now();
  return withTransaction(ctx.db, async ({ trx }) => {
    const user = await lockUser(trx, actor.orgId, actor.userId);
    if (user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
    const existing = await trx
      .selectFrom('mfa_factors')
      .select(['id', 'confirmed_at'])
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .where('kind', '=', 'totp')
      .executeTakeFirst();
    if (existing?.confirmed_at) throw new DomainError('MFA_ALREADY_ENROLLED');
    if (existing) await trx.deleteFrom('mfa_factors').where('id', '=', existing.id).execute();
    const secret = newTotpSecret();
    const id = randomUUID();
    const org = await trx
      .selectFrom('organizations')
      .select('name')
      .where('id', '=', user.org_id)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('mfa_factors')
      .values({
        id,
        org_id: user.org_id,
        user_id: user.id,
        kind: 'totp',
        name: 'Authenticator app',
        secret_sealed: sealFactorSecret(key, id, secret),
        created_at: now,
      })
      .execute();
    await recordAuditEvent(
      trx,
      user.org_id,
      { actor, meta: ctx.meta, now },
      {
        action: 'user.totp_enrolment_started',
        targetType: 'user',
        targetId: user.id,
        changes: { factorId: id, replacedPending: existing?.id ?? null },
      },
    );
    return { factorId: id, otpauthUri: otpauthUri(secret, org.name, user.email), secret: base32Of(secret) };
  });
}
