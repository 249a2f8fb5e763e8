/**
 * The one call commands make, inside their transaction after the audit event. It writes a bounded amount
 * whatever the audience: the affected user's own email (rendered now, content frozen at the event) and, when
 * administrators are to hear about it, ONE `notices` row holding the frozen facts and the audience. The
 * fan-out to administrators (in-app notification + email, digested) runs after commit in batches of their
 * own transactions (fan-out-notices.ts). A rolled-back command therefore sends nothing; a retried one
 * duplicates nothing (the notice is unique per cause and kind, each message per cause, recipient and kind).
 */
import { isRoleKey, roleDefinitions } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import type { TransactionScope } from '../../db/transaction.js';
import type { CommandContext } from '../shared/context.js';
import { actorUserId as actorUserIdOf } from '../shared/context.js';
import { invitationLink } from '../invitations/invitation-link.js';
import { passwordResetLink } from '../security/password-reset-link.js';
import { nudgeDelivery } from './delivery-nudge.js';
import { enqueueEmails, type OutgoingEmail } from './outbox.js';
import { renderNotice, type FrozenNotice } from './notice-content.js';
import {
  adminAudienceFor,
  dedupeKeyOf,
  kindOfLifecycleAction,
  recipientsFor,
  tellsAdmins,
  type LifecycleKind,
} from './notice-rules.js';
import { brandColorOf } from './render-email.js';
import { systemActorName, type MfaChange, type NoticeParams } from './templates.js';

export type NotifyContext = Pick<CommandContext, 'actor' | 'config' | 'clock'>;

export type NoticeEvent =
  | { kind: 'invitation'; invitationId: string; token: string }
  | { kind: 'invitation_reminder'; invitationId: string }
  | { kind: LifecycleKind; user: UserRow }
  | { kind: 'role_changed'; user: UserRow; from: string; to: string; gained: number; lost: number }
  | { kind: 'sessions_revoked'; userId: string; sessionIds: readonly string[] }
  | {
      kind: 'password_reset';
      resetId: string;
      userId: string;
      token: string;
      expiresAt: Date;
      /**
       * An administrator (the actor) sent it, the person asked for it, or it is the first password of an
       * account an identity provider created (SCIM).
       */
      requestedBy: 'self' | 'administrator' | 'provisioned';
    }
  | { kind: 'password_changed'; user: UserRow; how: 'changed' | 'reset'; sessionCount: number }
  // MFA (security/mfa-totp): `causeId` names the change for good (a factor id, a recovery-code batch).
  | { kind: 'mfa_changed'; user: UserRow; change: MfaChange; causeId: string; factor?: string }
  | { kind: 'passkey_changed'; userId: string; passkeyId: string; name: string; how: 'added' | 'removed' };

const nilUuid = '00000000-0000-0000-0000-000000000000';
const roleName = (key: string) => (isRoleKey(key) ? roleDefinitions[key].name : key);
const nameOf = (u: Pick<UserRow, 'display_name' | 'email'>) => u.display_name.trim() || u.email;

/** The notice for a lifecycle audit action (activated, suspended, ...), or null when it has none. */
export function lifecycleNotice(action: string, user: UserRow): NoticeEvent | null {
  const kind = kindOfLifecycleAction(action);
  return kind ? { kind, user } : null;
}

export async function notify(
  scope: TransactionScope,
  ctx: NotifyContext,
  event: NoticeEvent | null,
): Promise<{ emails: number; notice: boolean }> {
  if (!event) return { emails: 0, notice: false };
  const { trx } = scope;
  const orgId = ctx.actor.orgId;

  let affectedId: string;
  let cause: string;
  const base: Partial<NoticeParams> & {
    reasonRaw?: string | null;
    untilRaw?: Date | null;
    expiresRaw?: Date;
  } = {};
  if (event.kind === 'invitation' || event.kind === 'invitation_reminder') {
    const inv = await trx
      .selectFrom('invitations')
      .select(['user_id', 'role', 'message', 'expires_at', 'invited_by'])
      .where('org_id', '=', orgId)
      .where('id', '=', event.invitationId)
      .executeTakeFirstOrThrow();
    const inviter = inv.invited_by
      ? await trx
          .selectFrom('users')
          .select(['display_name', 'email'])
          .where('org_id', '=', orgId)
          .where('id', '=', inv.invited_by)
          .executeTakeFirst()
      : undefined;
    // The department the person is invited into: the invitee's primary department, when one was chosen.
    const department = await trx
      .selectFrom('users as u')
      .innerJoin('departments as d', (j) =>
        j.onRef('d.id', '=', 'u.primary_department_id').onRef('d.org_id', '=', 'u.org_id'),
      )
      .select('d.name')
      .where('u.org_id', '=', orgId)
      .where('u.id', '=', inv.user_id)
      .executeTakeFirst();
    affectedId = inv.user_id;
    cause = `${event.kind === 'invitation' ? 'invitation' : 'reminder'}:${event.invitationId}`;
    Object.assign(base, {
      ...(inviter ? { inviterName: nameOf(inviter) } : {}),
      ...(department ? { departmentName: department.name } : {}),
      roleName: roleName(inv.role),
      message: inv.message,
      expiresRaw: inv.expires_at,
      ...(event.kind === 'invitation' ? { link: invitationLink(ctx.config.publicUrl, event.token) } : {}),
    });
  } else if (event.kind === 'password_reset') {
    affectedId = event.userId;
    cause = `password_reset:${event.resetId}`;
    Object.assign(base, {
      expiresRaw: event.expiresAt,
      link: passwordResetLink(ctx.config.publicUrl, event.token),
      requestedBy: event.requestedBy,
    });
  } else if (event.kind === 'password_changed') {
    affectedId = event.user.id;
    // The change bumps the user's version: user id + new version names it for good.
    cause = `user:${event.user.id}:v${event.user.version}`;
    Object.assign(base, { passwordChange: event.how, sessionCount: event.sessionCount });
  } else if (event.kind === 'mfa_changed') {
    affectedId = event.user.id;
    cause = `mfa:${event.change}:${event.causeId}`;
    base.mfaChange = event.change;
    if (event.factor) base.mfaFactor = event.factor;
  } else if (event.kind === 'passkey_changed') {
    affectedId = event.userId;
    // A passkey is added once and removed once: its id and the change name the notice for good.
    cause = `passkey:${event.passkeyId}:${event.how}`;
    Object.assign(base, { passkeyChange: event.how, passkeyName: event.name });
  } else if (event.kind === 'sessions_revoked') {
    affectedId = event.userId;
    // Session ids are revoked once, so the first one names this revocation for good.
    cause = `sessions:${[...event.sessionIds].sort()[0]}`;
    base.sessionCount = event.sessionIds.length;
  } else {
    affectedId = event.user.id;
    // Every change of a user bumps its version: user id + new version names this change for good.
    cause = `user:${event.user.id}:v${event.user.version}`;
    if (event.kind === 'role_changed') {
      Object.assign(base, {
        fromRole: roleName(event.from),
        toRole: roleName(event.to),
        gained: event.gained,
        lost: event.lost,
      });
    } else {
      base.reasonRaw = event.user.status_reason;
      base.untilRaw = event.kind === 'user_suspended' ? event.user.suspended_until : null;
    }
  }

  const actorUserId = actorUserIdOf(ctx.actor);
  // One read for everything the messages need: the organisation, the affected user, the actor's name and
  // the affected user's opt-out. It may run while the audit chain head is held (the audit event comes
  // first), so every statement saved here is saved for every writer of the organisation.
  const row = await trx
    .selectFrom('organizations as o')
    .innerJoin('users as a', (j) => j.onRef('a.org_id', '=', 'o.id').on('a.id', '=', affectedId))
    .leftJoin('users as ac', (j) =>
      j.onRef('ac.org_id', '=', 'o.id').on('ac.id', '=', actorUserId ?? nilUuid),
    )
    .select(['o.name', 'o.settings', 'a.email', 'a.display_name', 'a.locale', 'a.time_zone'])
    .select(['ac.display_name as actor_display_name', 'ac.email as actor_email'])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('notification_opt_outs as x')
            .select('x.user_id')
            .whereRef('x.org_id', '=', 'o.id')
            .where('x.user_id', '=', affectedId)
            .where('x.kind', '=', event.kind),
        )
        .as('opted_out'),
    )
    .where('o.id', '=', orgId)
    .executeTakeFirstOrThrow();
  const org = { name: row.name, settings: row.settings };
  const affected = {
    email: row.email,
    display_name: row.display_name,
    locale: row.locale,
    time_zone: row.time_zone,
  };
  const actorName =
    actorUserId && row.actor_email !== null
      ? nameOf({ display_name: row.actor_display_name ?? '', email: row.actor_email })
      : systemActorName;
  const facts: FrozenNotice = {
    orgName: org.name,
    brandColor: brandColorOf(org.settings),
    userName: nameOf(affected),
    actorName,
    reason: base.reasonRaw ?? null,
    until: base.untilRaw?.toISOString() ?? null,
    ...(base.expiresRaw ? { expires: base.expiresRaw.toISOString() } : {}),
    ...pick(base, ['fromRole', 'toRole', 'gained', 'lost', 'sessionCount']),
    ...pick(base, [
      'roleName',
      'message',
      'link',
      'departmentName',
      'requestedBy',
      'passwordChange',
      'mfaChange',
      'mfaFactor',
    ]),
    ...pick(base, ['passkeyChange', 'passkeyName']),
    ...(base.inviterName || event.kind === 'invitation' || event.kind === 'invitation_reminder'
      ? { inviterName: base.inviterName ?? `an administrator of ${org.name}` }
      : {}),
  };

  // The affected user's own email: one row, rendered now.
  const self = recipientsFor({
    kind: event.kind,
    affectedUserId: affectedId,
    actorUserId,
    adminUserIds: [],
    optedOut: new Set(row.opted_out ? [affectedId] : []),
  });
  const emails: OutgoingEmail[] = self.map((r) => ({
    orgId,
    dedupeKey: dedupeKeyOf(cause, r.userId, event.kind),
    kind: event.kind,
    recipientUserId: r.userId,
    recipientEmail: affected.email,
    ...renderNotice(event.kind, facts, 'self', affected),
  }));
  const queued = await enqueueEmails(trx, ctx.config.publicUrl, emails, ctx.clock.now());

  // Administrators: one durable notice row, whatever the audience's size; fanned out after commit in
  // batches by the worker (fan-out-notices.ts). The invitation kinds (whose facts hold a link) never get here.
  let notice = false;
  const audience = adminAudienceFor(org.settings, event.kind);
  const anyone = audience.responsible || audience.roles.length > 0 || audience.userIds.length > 0;
  if (tellsAdmins(event.kind, affectedId, actorUserId) && anyone) {
    const row = await trx
      .insertInto('notices')
      .values({
        org_id: orgId,
        kind: event.kind,
        cause,
        affected_user_id: affectedId,
        actor_user_id: actorUserId,
        params: JSON.stringify(facts),
        audience: JSON.stringify(audience),
        created_at: ctx.clock.now(),
        next_attempt_at: ctx.clock.now(),
      })
      .onConflict((oc) => oc.columns(['org_id', 'cause', 'kind']).doNothing())
      .returning('id')
      .executeTakeFirst();
    notice = !!row;
  }
  // Delivered (and fanned out) at once by this process's worker when it runs one; otherwise on the
  // worker's next tick.
  if (queued.length > 0 || notice) scope.onCommit(() => nudgeDelivery());
  return { emails: queued.length, notice };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<
    Pick<T, K>
  >;
}
