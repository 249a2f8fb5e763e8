import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { mayActOn, reachOf } from '../../authz/access.js';
import { authorizeAnywhere } from '../../authz/load-access.js';
import type { DB, InvitationRow, UserRow } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { primaryPathsOf } from '../users/user-actions.js';
import { primaryDepartmentIn } from '../users/user-filter.js';
import { effectiveInvitationStatus, invitationStatuses, type InvitationStatus } from './invitation-rules.js';

/** An invitation as readers see it: its status as of now, with the invitee and the inviter. */
export interface InvitationView {
  invitation: InvitationRow;
  status: InvitationStatus;
  user: UserRow;
  invitedBy: UserRow | null;
}

export interface InvitationPage {
  edges: { cursor: string; node: InvitationView }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const defaultInvitationPageSize = 20;

export const listInvitationsInput = z
  .object({
    status: z.enum(invitationStatuses).nullish(),
    first: z.number().int().min(1).max(100).nullish(),
    after: z.string().max(200).nullish(),
  })
  .strict();

/**
 * Cursors are opaque to clients: base64url of [created_at, id], the keyset of the sort order. The time
 * travels as UTC text with microseconds, as the database keeps it (a Date keeps only milliseconds and
 * would skip or repeat rows created within the same millisecond).
 */
export function encodeInvitationCursor(createdAtText: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAtText, id])).toString('base64url');
}

const cursorTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function decodeInvitationCursor(cursor: string): { createdAt: string; id: string } {
  const bad = () => new DomainError('VALIDATION_FAILED', 'The cursor is not valid.', { field: 'after' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || !cursorTimePattern.test(at) || Number.isNaN(Date.parse(at))) throw bad();
  if (typeof id !== 'string' || !isUuid(id)) throw bad();
  return { createdAt: at, id };
}

/**
 * The organisation's invitations (for a department manager without org-wide invitations:read, those of
 * the users whose primary department is in its subtrees), newest first, keyset-paginated on
 * (created_at, id) — never OFFSET.
 * 'pending' means usable now; a pending invitation whose time is up is listed as 'expired'.
 */
export async function listInvitations(
  ctx: CommandContext,
  raw: z.input<typeof listInvitationsInput> = {},
): Promise<InvitationPage> {
  const access = await authorizeAnywhere(ctx, 'invitations:read');
  const input = parseInput(listInvitationsInput, raw);
  const first = input.first ?? defaultInvitationPageSize;
  const now = ctx.clock.now();
  const orgId = ctx.actor.orgId;
  const reach = reachOf(access, 'invitations:read');
  let q = ctx.db
    .selectFrom('invitations')
    .selectAll()
    .select(
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'),
    )
    .where('org_id', '=', orgId);
  if (reach !== 'organization') {
    // A department manager sees the invitations of the users whose primary department it manages.
    q = q.where('user_id', 'in', (eb) =>
      eb
        .selectFrom('users')
        .select('users.id')
        .where('users.org_id', '=', orgId)
        .where((u) => primaryDepartmentIn(u, orgId, reach)),
    );
  }
  if (input.status === 'pending') q = q.where('status', '=', 'pending').where('expires_at', '>', now);
  else if (input.status === 'expired') {
    q = q.where((eb) =>
      eb.or([
        eb('status', '=', 'expired'),
        eb.and([eb('status', '=', 'pending'), eb('expires_at', '<=', now)]),
      ]),
    );
  } else if (input.status) q = q.where('status', '=', input.status);
  if (input.after) {
    const c = decodeInvitationCursor(input.after);
    q = q.where((eb) =>
      eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(sql<Date>`${c.createdAt}::timestamptz`, c.id)),
    );
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(first + 1)
    .execute();
  const page = rows.slice(0, first).map(({ cursor_at, ...invitation }) => ({ cursor_at, invitation }));
  const views = await invitationViews(
    ctx.db,
    orgId,
    page.map((p) => p.invitation),
    now,
  );
  const edges = views.map((node, i) => ({
    cursor: encodeInvitationCursor(page[i]!.cursor_at, node.invitation.id),
    node,
  }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/**
 * The latest invitation (any status) of each of the given users, null for a user never invited: one query
 * for a whole page of users (the GraphQL field batches through it). For a department manager, a user
 * outside its invitations:read reach gets a FORBIDDEN error in its place (the loader fails that key only).
 */
export async function latestInvitationsOf(
  ctx: CommandContext,
  users: readonly UserRow[],
): Promise<(InvitationView | null | Error)[]> {
  const access = await authorizeAnywhere(ctx, 'invitations:read');
  const orgId = ctx.actor.orgId;
  let readable = (_u: UserRow) => true;
  if (!access.orgWide.has('invitations:read')) {
    const paths = await primaryPathsOf(ctx.db, orgId, users);
    readable = (u) =>
      mayActOn(
        access,
        'invitations:read',
        {
          id: u.id,
          role: u.role,
          primaryPath: u.primary_department_id ? (paths.get(u.primary_department_id) ?? null) : null,
        },
        'read',
      );
  }
  const mine = users.filter((u) => u.org_id === orgId && readable(u));
  const answer = (u: UserRow, found: Map<string, InvitationView>) =>
    u.org_id !== orgId
      ? null
      : readable(u)
        ? (found.get(u.id) ?? null)
        : new DomainError('FORBIDDEN', 'That user is outside the departments you manage.');
  if (mine.length === 0) return users.map((u) => answer(u, new Map()));
  const rows = await ctx.db
    .selectFrom('invitations')
    .selectAll()
    .distinctOn('user_id')
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', 'in', [...new Set(mine.map((u) => u.id))])
    .orderBy('user_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const views = await invitationViews(ctx.db, ctx.actor.orgId, rows, ctx.clock.now(), [...mine]);
  const byUser = new Map(views.map((v) => [v.invitation.user_id, v]));
  return users.map((u) => answer(u, byUser));
}

/**
 * Attaches invitees and inviters with one query for the whole page. Takes the database or the caller's
 * transaction (inside a transaction only the transaction may be used).
 */
export async function invitationViews(
  db: Kysely<DB>,
  orgId: string,
  rows: InvitationRow[],
  now: Date,
  known: UserRow[] = [],
): Promise<InvitationView[]> {
  const users = new Map(known.map((u) => [u.id, u]));
  const wanted = [
    ...new Set(rows.flatMap((r) => [r.user_id, ...(r.invited_by ? [r.invited_by] : [])])),
  ].filter((id) => !users.has(id));
  if (wanted.length > 0) {
    const found = await db
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', 'in', wanted)
      .execute();
    for (const u of found) users.set(u.id, u);
  }
  return rows.map((invitation) => ({
    invitation,
    status: effectiveInvitationStatus(invitation, now),
    user: users.get(invitation.user_id)!,
    invitedBy: invitation.invited_by ? (users.get(invitation.invited_by) ?? null) : null,
  }));
}
