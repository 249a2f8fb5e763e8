import { sql } from 'kysely';
import { holdsAnywhere, mayActOn } from '../../authz/access.js';
import { accessOf } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { primaryPathsOf } from './user-actions.js';
import type { UserStatus } from './user-status.js';
import { actorUserId } from '../shared/context.js';

/** One interval of a user's status: `to` is null while it lasts. */
export interface StatusPeriod {
  status: UserStatus;
  from: Date;
  to: Date | null;
  /**
   * The audit event that began the period (same user, same instant — a status change and its event share
   * the transaction's `now`), or null when there is none (seeded users, rows from before the audit trail).
   */
  cause: {
    action: string;
    reason: string | null;
    actorType: string;
    /** The acting user: only for viewers who hold `audit:read` and `users:read` org-wide. */
    actor: UserRow | null;
  } | null;
}

/** The most periods one user's history returns (newest first), and the default. */
export const maxStatusPeriods = 100;
export const defaultStatusPeriods = 50;

/**
 * The status history of each user, newest first, for a whole page of users at once: authorized like
 * reading the user (`getUser`: oneself always; otherwise `users:read` over the user, org-wide or through a
 * managed subtree — FORBIDDEN outside it), the periods in one query, their causes in another.
 *
 * The cause comes from the audit trail, matched on (user, instant); the reason is shown to whoever may
 * read the user (as `User.statusReason` is), the acting user only to those who may read the audit trail.
 * Returns, per user, its periods or the error that user's history answers with.
 */
export async function statusHistoriesOf(
  ctx: CommandContext,
  users: readonly UserRow[],
  first: number = defaultStatusPeriods,
): Promise<(StatusPeriod[] | DomainError)[]> {
  if (!Number.isInteger(first) || first < 1 || first > maxStatusPeriods) {
    const error = new DomainError('VALIDATION_FAILED', `first must be between 1 and ${maxStatusPeriods}.`, {
      field: 'first',
      max: maxStatusPeriods,
    });
    return users.map(() => error);
  }
  const access = await accessOf(ctx);
  const orgId = ctx.actor.orgId;
  const selfId = actorUserId(ctx.actor);
  const others = users.filter((u) => u.id !== selfId);
  const paths =
    others.length > 0 && !access.orgWide.has('users:read') && access.managed.length > 0
      ? await primaryPathsOf(ctx.db, orgId, others)
      : new Map<string, string>();
  const decisions = users.map((u): DomainError | null => {
    if (u.org_id !== orgId) return new DomainError('NOT_FOUND');
    if (u.id === selfId) return null;
    if (!holdsAnywhere(access, 'users:read')) return new DomainError('FORBIDDEN');
    const primaryPath = u.primary_department_id ? (paths.get(u.primary_department_id) ?? null) : null;
    return mayActOn(access, 'users:read', { id: u.id, role: u.role, primaryPath }, 'read')
      ? null
      : new DomainError('FORBIDDEN', 'That user is outside the departments you manage.');
  });
  const allowed = users.filter((_, i) => decisions[i] === null).map((u) => u.id);
  const periods = await periodsOf(ctx, [...new Set(allowed)], first);
  const showActor = access.orgWide.has('audit:read') && access.orgWide.has('users:read');
  const causes = await causesOf(ctx, periods);
  const actors = showActor
    ? await usersById(
        ctx,
        [...causes.values()].map((c) => c.actor_id),
      )
    : new Map<string, UserRow>();
  const byUser = new Map<string, StatusPeriod[]>();
  for (const p of periods) {
    const cause = causes.get(causeKey(p.user_id, p.valid_from, p.status)) ?? null;
    const list = byUser.get(p.user_id) ?? [];
    list.push({
      status: p.status as UserStatus,
      from: p.valid_from,
      to: p.valid_to,
      cause: cause
        ? {
            action: cause.action,
            reason: cause.reason,
            actorType: cause.actor_type,
            actor: (cause.actor_id ? actors.get(cause.actor_id) : null) ?? null,
          }
        : null,
    });
    byUser.set(p.user_id, list);
  }
  return users.map((u, i) => decisions[i] ?? byUser.get(u.id) ?? []);
}

interface PeriodRow {
  user_id: string;
  status: string;
  valid_from: Date;
  valid_to: Date | null;
}

/** The newest `first` periods of each user: one query (a window over the user's index). */
async function periodsOf(ctx: CommandContext, userIds: string[], first: number): Promise<PeriodRow[]> {
  if (userIds.length === 0) return [];
  const ranked = ctx.db
    .selectFrom('user_status_history')
    .select(['user_id', 'status', 'valid_from', 'valid_to'])
    .select(
      sql<number>`row_number() over (partition by user_id order by valid_from desc, valid_to desc nulls first)`.as(
        'n',
      ),
    )
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', 'in', userIds);
  return ctx.db
    .selectFrom(ranked.as('h'))
    .select(['user_id', 'status', 'valid_from', 'valid_to'])
    .where('n', '<=', first)
    .orderBy('user_id')
    .orderBy('n')
    .execute();
}

interface CauseRow {
  target_id: string | null;
  occurred_at: Date;
  action: string;
  reason: string | null;
  actor_type: string;
  actor_id: string | null;
  to_status: string | null;
}

/** What started a period, by `causeKey`. */
const statusOfAction: Record<string, string> = { 'user.invited': 'invited' };
const causeKey = (userId: string, at: Date, status: string) => `${userId}|${at.getTime()}|${status}`;

/**
 * The audit events that began these periods: one query on the organisation's time index, looking up only
 * the periods' exact instants (a user's sign-ins and profile edits are never scanned).
 */
async function causesOf(ctx: CommandContext, periods: PeriodRow[]): Promise<Map<string, CauseRow>> {
  const found = new Map<string, CauseRow>();
  if (periods.length === 0) return found;
  const instants = [...new Map(periods.map((p) => [p.valid_from.getTime(), p.valid_from])).values()];
  const userIds = [...new Set(periods.map((p) => p.user_id))];
  const rows = await ctx.db
    .selectFrom('audit_events')
    .select(['target_id', 'occurred_at', 'action', 'reason', 'actor_type', 'actor_id'])
    .select(sql<string | null>`changes -> 'status' ->> 'to'`.as('to_status'))
    .where('org_id', '=', ctx.actor.orgId)
    .where('occurred_at', 'in', instants)
    .where('target_type', '=', 'user')
    .where('target_id', 'in', userIds)
    .orderBy('seq')
    .execute();
  for (const r of rows) {
    const status = r.to_status ?? statusOfAction[r.action];
    if (!r.target_id || !status) continue;
    const key = causeKey(r.target_id, r.occurred_at, status);
    // The last event of that instant that set this status (the same status twice in one instant: the later).
    found.set(key, r);
  }
  return found;
}

async function usersById(ctx: CommandContext, ids: (string | null)[]): Promise<Map<string, UserRow>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', 'in', wanted)
    .execute();
  return new Map(rows.map((u) => [u.id, u]));
}
