import type { UserRow } from '../../db/schema.js';
import type { TransactionScope } from '../../db/transaction.js';
import { onUniqueViolation } from '../../db/unique-violation.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { bumpVersion, normalizeEmail, searchTextOf } from './user-record.js';

/** The unique index that decides between two writers of one address in an organisation. */
export const emailIndex = 'users_org_id_email_normalized_key';

/**
 * Inside the caller's transaction, with the user locked and `users:update` authorized: makes `email` the
 * address the person signs in with (an identity provider renaming a userName: a name change, a new domain).
 * Unique in the organisation (EMAIL_TAKEN); a change of case alone is kept as written. Sessions, passkeys,
 * factors and memberships belong to the person and stay; audited `user.email_changed`. Returns the user.
 */
export async function changeSignInEmailIn(
  scope: TransactionScope,
  ctx: CommandContext,
  user: UserRow,
  email: string,
): Promise<UserRow> {
  if (email === user.email) return user;
  const normalized = normalizeEmail(email);
  if (normalized !== user.email_normalized) {
    const taken = await scope.trx
      .selectFrom('users')
      .select('id')
      .where('org_id', '=', user.org_id)
      .where('email_normalized', '=', normalized)
      .executeTakeFirst();
    if (taken) throw new DomainError('EMAIL_TAKEN', undefined, { field: 'email' });
  }
  const now = ctx.clock.now();
  const updated = await scope.trx
    .updateTable('users')
    .set({
      email,
      email_normalized: normalized,
      search_text: searchTextOf(user.display_name, email),
      updated_at: now,
      version: bumpVersion,
    })
    .where('org_id', '=', user.org_id)
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAuditEvent(
    scope.trx,
    user.org_id,
    { actor: ctx.actor, meta: ctx.meta, now },
    {
      action: 'user.email_changed',
      targetType: 'user',
      targetId: user.id,
      changes: { email: { from: user.email, to: email } },
    },
  );
  return updated;
}

/** Runs a write, answering EMAIL_TAKEN when a concurrent writer took the address first (its transaction rolled back). */
export function emailRace<T>(write: () => Promise<T>): Promise<T> {
  return onUniqueViolation(
    write,
    emailIndex,
    () => new DomainError('EMAIL_TAKEN', undefined, { field: 'email' }),
  );
}
