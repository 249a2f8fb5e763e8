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
import type { Actor, CommandContext } from '../shared/context.js';
import { invitationLink } from '../invitations/invitation-link.js';
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
import { systemActorName, type NoticeParams } from './templates.js';

export type NotifyContext = Pick<CommandContext, 'actor' | 'config' | 'clock'>;

export type NoticeEvent =
  | { kind: 'invitation'; invitationId: string; token: string }
  | { kind: 'invitation_reminder'; invitationId: string }
  | { kind: LifecycleKind; user: UserRow }
  | { kind: 'role_changed'; user: UserRow; from: string; to: string; gained: number; lost: number }
  | { kind: 'sessions_revoked'; userId: string; sessionIds: readonly string[] };

const roleName = (key: string) => (isRoleKey(key) ? roleDefinitions[key].name : key);
const nameOf = (u: Pick<UserRow, 'display_name' | 'email'>) => u.display_name.trim() || u.email;

/** The notice for a lifecycle audit action (activated, suspended, ...), or null when it has none. */
export function lifecycleNotice(action: string, user: UserRow): NoticeEvent | null {
  const kind = kindOfLifecycleAction(action);
  return kind ? { kind, user } : null;
}

async function actorName(scope: TransactionScope, actor: Actor): Promise<string> {
  if (actor.type !== 'user') return systemActorName;
  const u = await scope.trx
    .selectFrom('users')
    .select(['display_name', 'email'])
    .where('org_id', '=', actor.orgId)
    .where('id', '=', actor.userId)
    .executeTakeFirst();
  return u ? nameOf(u) : systemActorName;
}

export async function notify(
  scope: TransactionScope,
  ctx: NotifyContext,
  event: NoticeEvent | null,
): Promise<{ emails: number; notice: boolean }> {
  if (!event) return { emails: 0, notice: false };
  const { trx } = scope;
  const orgId = ctx.actor.orgId;
  const org = await trx
    .selectFrom('organizations')
    .select(['name', 'settings'])
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();

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
    affectedId = inv.user_id;
    cause = `${event.kind === 'invitation' ? 'invitation' : 'reminder'}:${event.invitationId}`;
    Object.assign(base, {
      inviterName: inviter ? nameOf(inviter) : `an administrator of ${org.name}`,
      roleName: roleName(inv.role),
      message: inv.message,
      expiresRaw: inv.expires_at,
      ...(event.kind === 'invitation' ? { link: invitationLink(ctx.config.publicUrl, event.token) } : {}),
    });
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

  const actorUserId = ctx.actor.type === 'user' ? ctx.actor.userId : null;
  const affected = await trx
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'locale', 'time_zone'])
    .where('org_id', '=', orgId)
    .where('id', '=', affectedId)
    .executeTakeFirstOrThrow();
  const facts: FrozenNotice = {
    orgName: org.name,
    brandColor: brandColorOf(org.settings),
    userName: nameOf(affected),
    actorName: await actorName(scope, ctx.actor),
    reason: base.reasonRaw ?? null,
    until: base.untilRaw?.toISOString() ?? null,
    ...(base.expiresRaw ? { expires: base.expiresRaw.toISOString() } : {}),
    ...pick(base, ['fromRole', 'toRole', 'gained', 'lost', 'sessionCount']),
    ...pick(base, ['inviterName', 'roleName', 'message', 'link']),
  };

  // The affected user's own email: one row, rendered now.
  const optedOut = await trx
    .selectFrom('notification_opt_outs')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('kind', '=', event.kind)
    .where('user_id', '=', affectedId)
    .execute();
  const self = recipientsFor({
    kind: event.kind,
    affectedUserId: affectedId,
    actorUserId,
    adminUserIds: [],
    optedOut: new Set(optedOut.map((o) => o.user_id)),
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
