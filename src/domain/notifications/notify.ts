/**
 * The one call commands make, inside their transaction after the audit event: decides the recipients,
 * renders each message for its recipient and queues it in the outbox, and writes administrators' in-app
 * notifications. A rolled-back command therefore sends nothing; a retried one duplicates nothing.
 */
import { isRoleKey, roleDefinitions } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import type { TransactionScope } from '../../db/transaction.js';
import type { Actor, CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { invitationLink } from '../invitations/invitation-link.js';
import { nudgeDelivery } from './delivery-nudge.js';
import { enqueueEmails, type OutgoingEmail } from './outbox.js';
import {
  adminAudienceFor,
  dedupeKeyOf,
  kindOfLifecycleAction,
  recipientsFor,
  type LifecycleKind,
} from './notice-rules.js';
import { brandColorOf, formatDateTime, renderEmail } from './render-email.js';
import { messageLocale, systemActorName, templateFor, type NoticeParams } from './templates.js';

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
): Promise<{ emails: number; inApp: number }> {
  if (!event) return { emails: 0, inApp: 0 };
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
  const audience = adminAudienceFor(org.settings, event.kind);
  // Named people count only while they are active users of this organisation; stale, foreign or malformed
  // ids in the settings are skipped silently (the settings were validated when written, people change).
  const namedIds = audience.userIds.filter(isUuid);
  const admins =
    audience.roles.length === 0 && namedIds.length === 0
      ? []
      : await trx
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', orgId)
          .where('status', '=', 'active')
          .where((eb) =>
            eb.or([
              ...(audience.roles.length > 0 ? [eb('role', 'in', audience.roles)] : []),
              ...(namedIds.length > 0 ? [eb('id', 'in', namedIds)] : []),
            ]),
          )
          .execute();
  const candidateIds = [affectedId, ...admins.map((a) => a.id)];
  const optOuts = await trx
    .selectFrom('notification_opt_outs')
    .select('user_id')
    .where('org_id', '=', orgId)
    .where('kind', '=', event.kind)
    .where('user_id', 'in', candidateIds)
    .execute();
  const recipients = recipientsFor({
    kind: event.kind,
    affectedUserId: affectedId,
    actorUserId,
    adminUserIds: admins.map((a) => a.id),
    optedOut: new Set(optOuts.map((o) => o.user_id)),
  });
  if (recipients.length === 0) return { emails: 0, inApp: 0 };

  const people = await trx
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'locale', 'time_zone'])
    .where('org_id', '=', orgId)
    .where(
      'id',
      'in',
      // The affected user is named in every message, even when they themselves opted out.
      [affectedId, ...recipients.map((r) => r.userId)],
    )
    .execute();
  const byId = new Map(people.map((p) => [p.id, p]));
  const affected = byId.get(affectedId)!;
  const common = {
    orgName: org.name,
    userName: nameOf(affected),
    actorName: await actorName(scope, ctx.actor),
    reason: base.reasonRaw ?? null,
  };
  const brand = { orgName: org.name, color: brandColorOf(org.settings) };

  const emails: OutgoingEmail[] = [];
  const inApp: { user_id: string; dedupe_key: string; title: string; body: string }[] = [];
  for (const r of recipients) {
    const person = byId.get(r.userId);
    if (!person) continue;
    const locale = messageLocale(person.locale);
    const when = (d: Date | null | undefined) => (d ? formatDateTime(d, locale, person.time_zone) : null);
    const params: NoticeParams = {
      ...base,
      ...common,
      audience: r.audience,
      until: when(base.untilRaw),
      ...(base.expiresRaw ? { expires: when(base.expiresRaw)! } : {}),
    };
    const content = templateFor(event.kind, person.locale)(params);
    const dedupeKey = dedupeKeyOf(cause, r.userId, event.kind);
    if (r.email) {
      emails.push({
        orgId,
        dedupeKey,
        kind: event.kind,
        recipientUserId: r.userId,
        recipientEmail: person.email,
        ...renderEmail(content, brand),
      });
    }
    if (r.inApp) {
      const body = content.blocks.flatMap((b) => ('p' in b ? [b.p] : [])).join('\n');
      inApp.push({ user_id: r.userId, dedupe_key: dedupeKey, title: content.subject, body });
    }
  }
  const queued = await enqueueEmails(trx, ctx.config.publicUrl, emails, ctx.clock.now());
  // Delivered at once by this process's worker when it runs one; otherwise on the worker's next tick.
  if (queued.length > 0) scope.onCommit(() => nudgeDelivery());
  if (inApp.length > 0) {
    await trx
      .insertInto('notifications')
      .values(
        inApp.map((n) => ({
          org_id: orgId,
          kind: event.kind,
          created_at: ctx.clock.now(),
          data: JSON.stringify({ userId: affectedId }),
          ...n,
        })),
      )
      .onConflict((oc) => oc.columns(['org_id', 'user_id', 'dedupe_key']).doNothing())
      .execute();
  }
  return { emails: queued.length, inApp: inApp.length };
}
