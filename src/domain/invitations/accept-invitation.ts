import { isRoleKey } from '../../authz/roles.js';
import { z } from 'zod';
import type { InvitationRow, UserRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { diffFields, recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { hashPassword } from '../security/password-hash.js';
import { assertPasswordAcceptable } from '../security/password-policy.js';
import { minPasswordLengthOf } from '../security/password-settings.js';
import type { CommandContext, RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { hashSecretToken } from '../shared/secret-token.js';
import { applyLifecycleEventIn } from '../users/apply-lifecycle-event.js';
import { profileColumns, profileFieldsShape, profileSnapshots } from '../users/update-user-profile.js';
import { lockUser } from '../users/user-record.js';
import { lifecycleNotice, notify } from '../notifications/notify.js';
import { maxSessionsPerUserOf, sessionPolicyOf } from '../sessions/session-policy.js';
import { mfaPolicyOf } from '../mfa/mfa-policy.js';
import { issueSignedIn, openSignedInSession, type OpenedSignIn, type SignedIn } from '../sessions/sign-in.js';

export const acceptInvitationInput = z
  .object({
    token: z.string().min(1).max(200),
    /** Bounded here only against abuse; the password policy gives the real rules and messages. */
    password: z.string().max(4096),
    ...profileFieldsShape,
  })
  .strict();

/** The reason a link cannot be used now, if any. Unknown, used, superseded and revoked look alike. */
function assertUsable(inv: Pick<InvitationRow, 'status' | 'expires_at'> | undefined, now: Date): void {
  if (!inv || inv.status !== 'pending') throw new DomainError('INVITATION_INVALID');
  if (inv.expires_at.getTime() <= now.getTime()) throw new DomainError('INVITATION_EXPIRED');
}

/**
 * Accepts an invitation: anonymous, the token is the credential. Sets the password and profile, activates
 * the user, and uses the link up — exactly once, even when submitted twice at the same moment.
 *
 * The actor is a system actor named 'invitation' scoped to the invitation's organisation: there is no
 * session yet, and a user actor with an empty session id would be a fake credential that later code
 * could trust. The audit events still name the user as their target.
 *
 * Locks are taken user first, then invitation, the same order as resend and revoke, so a concurrent
 * resend cannot deadlock with an accept. The winner of two concurrent accepts commits 'accepted'; the
 * other, waiting on the same locks, then sees a non-pending invitation and gets INVITATION_INVALID.
 */
export async function acceptInvitation(
  services: Services,
  raw: z.input<typeof acceptInvitationInput>,
  meta: RequestMeta = {},
): Promise<UserRow> {
  return (await accept(services, raw, meta, false)).user;
}

/**
 * Accepts an invitation and signs the person in, in the same transaction: the session is opened, and
 * `session.signed_in` audited (method `invitation`), by the code every sign-in uses. There is no password
 * guess here to throttle: the credential is the single-use 256-bit token, checked under its row lock, and
 * the password has just been chosen (the account's failure count is cleared as on any successful sign-in).
 */
export async function acceptInvitationAndSignIn(
  services: Services,
  raw: z.input<typeof acceptInvitationInput>,
  meta: RequestMeta = {},
): Promise<SignedIn> {
  const { opened } = await accept(services, raw, meta, true);
  return issueSignedIn(services, opened!);
}

async function accept(
  services: Services,
  raw: z.input<typeof acceptInvitationInput>,
  meta: RequestMeta,
  signIn: boolean,
): Promise<{ user: UserRow; opened: OpenedSignIn | null }> {
  const input = parseInput(acceptInvitationInput, raw);
  const tokenHash = hashSecretToken('invitation', input.token);
  // Checked and hashed before the transaction: argon2 takes tens of milliseconds and must not hold row
  // locks or the embedded database's only connection. The transaction checks everything again.
  const found = await services.db
    .selectFrom('invitations')
    .innerJoin('users', (j) =>
      j.onRef('users.org_id', '=', 'invitations.org_id').onRef('users.id', '=', 'invitations.user_id'),
    )
    .innerJoin('organizations', 'organizations.id', 'invitations.org_id')
    .select([
      'invitations.org_id',
      'invitations.user_id',
      'invitations.status',
      'invitations.expires_at',
      'users.email',
      'users.display_name',
      'organizations.name as org_name',
      'organizations.slug as org_slug',
      'organizations.settings as org_settings',
    ])
    .where('invitations.token_hash', '=', tokenHash)
    .executeTakeFirst();
  assertUsable(found, services.clock.now());
  const { org_id: orgId, user_id: userId, email } = found!;
  // The words an attacker aiming at this account tries first: the email, the name the person ends up
  // with, and the organisation's name.
  assertPasswordAcceptable(input.password, {
    email,
    displayName: input.displayName ?? found!.display_name,
    organizationName: found!.org_name,
    organizationSlug: found!.org_slug,
    minLength: minPasswordLengthOf(found!.org_settings),
  });
  const passwordHash = await hashPassword(input.password);

  const ctx: CommandContext = { ...services, actor: { type: 'system', orgId, name: 'invitation' }, meta };
  return withTransaction(services.db, async (scope) => {
    const { trx } = scope;
    const now = ctx.clock.now();
    const user = await lockUser(trx, orgId, userId);
    const inv = await trx
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('token_hash', '=', tokenHash)
      .forUpdate()
      .executeTakeFirst();
    assertUsable(inv, now);
    // A user deactivated while the link was out cannot come back through it.
    if (user.status !== 'invited') throw new DomainError('INVITATION_INVALID');

    const activated = await applyLifecycleEventIn(scope, ctx, user.id, { type: 'accept_invitation' });
    const { before, after } = profileSnapshots(activated, input);
    const changes = diffFields(before, after);
    const updated = await trx
      .updateTable('users')
      .set({
        ...profileColumns(activated, changes),
        password_hash: passwordHash,
        password_changed_at: now,
        failed_login_count: 0,
        locked_until: null,
        updated_at: now,
      })
      .where('org_id', '=', orgId)
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('invitations')
      .set({ status: 'accepted', accepted_at: now, ended_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', inv!.id)
      .execute();
    await recordAuditEvent(
      trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      {
        action: 'invitation.accepted',
        targetType: 'user',
        targetId: user.id,
        changes: { invitationId: inv!.id, role: updated.role, ...changes },
      },
    );
    await notify(scope, ctx, lifecycleNotice('user.activated', updated));
    if (!signIn) return { user: updated, opened: null };
    const org = await trx
      .selectFrom('organizations')
      .select('settings')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    const opened = await openSignedInSession(trx, {
      user: updated,
      method: 'invitation',
      policy: sessionPolicyOf(org.settings, isRoleKey(updated.role) ? updated.role : undefined),
      mfa: mfaPolicyOf(org.settings),
      limit: { maxSessions: maxSessionsPerUserOf(org.settings), revocations: ctx.revocations },
      meta: ctx.meta,
      now,
    });
    return { user: opened.user, opened };
  });
}
