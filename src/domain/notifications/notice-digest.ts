/**
 * Email digests for administrators. In-app notices are never held back; email is per recipient per window
 * (15 minutes, fixed windows by the event's time): the first notice of a window is emailed at once, later
 * ones of the same window are only counted, and when the window is over one digest email lists them. So an
 * administrator receives at most two emails per window however busy the organisation is.
 */
import { sql } from 'kysely';
import { withTransaction, type Tx } from '../../db/transaction.js';
import type { Services } from '../shared/context.js';
import { enqueueEmails, type OutgoingEmail } from './outbox.js';
import { brandColorOf, formatDateTime, renderEmail } from './render-email.js';
import { messageLocale } from './templates.js';

export const digestWindowMs = 15 * 60_000;
/** Notices named in one digest email; the rest are counted ("and 12 more"). */
export const digestListed = 10;

export function digestWindowOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / digestWindowMs) * digestWindowMs);
}

/**
 * Counts one notice for each recipient in its window and returns those for whom it is the window's first
 * (they get the email now). Ids are taken in ascending order, so two batches counting overlapping
 * recipients lock their rows in one order and cannot deadlock.
 */
export async function countInDigest(
  trx: Tx,
  orgId: string,
  userIds: readonly string[],
  at: Date,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const sorted = [...userIds].sort();
  const rows = await sql<{ user_id: string; notices: number }>`
    insert into notice_digests (org_id, user_id, window_start, notices)
    select ${orgId}::uuid, u, ${digestWindowOf(at)}::timestamptz, 1 from unnest(${sorted}::uuid[]) as u
    on conflict (org_id, user_id, window_start)
      do update set notices = notice_digests.notices + 1, flushed_at = null
    returning user_id, notices`.execute(trx);
  return new Set(rows.rows.filter((r) => Number(r.notices) === 1).map((r) => r.user_id));
}

/**
 * Queues the digest email of every window that is over and held more than its first notice, in batches of
 * its own transaction (SKIP LOCKED: two workers take different digests). Returns the emails queued.
 */
export async function flushDueDigests(services: Services, now: Date, limit = 100): Promise<number> {
  return withTransaction(services.db, async ({ trx }) => {
    // Counters of windows over for a day are no longer needed (their digest is queued or was not due).
    await sql`
      delete from notice_digests where (org_id, user_id, window_start) in (
        select org_id, user_id, window_start from notice_digests
        where window_start < ${new Date(now.getTime() - 86_400_000)} and (flushed_at is not null or notices <= 1)
        limit 1000)`.execute(trx);
    const due = await trx
      .selectFrom('notice_digests')
      .selectAll()
      .where('flushed_at', 'is', null)
      .where('notices', '>', 1)
      .where('window_start', '<=', new Date(now.getTime() - digestWindowMs))
      .orderBy('window_start')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (due.length === 0) return 0;
    const emails: OutgoingEmail[] = [];
    for (const d of due) {
      const email = await digestEmail(trx, services.config.publicUrl, d);
      if (email) emails.push(email);
    }
    const queued = await enqueueEmails(trx, services.config.publicUrl, emails, now);
    for (const d of due) {
      await trx
        .updateTable('notice_digests')
        .set({ flushed_at: now })
        .where('org_id', '=', d.org_id)
        .where('user_id', '=', d.user_id)
        .where('window_start', '=', d.window_start)
        .execute();
    }
    return queued.length;
  });
}

async function digestEmail(
  trx: Tx,
  publicUrl: string,
  d: { org_id: string; user_id: string; window_start: Date; notices: number },
): Promise<OutgoingEmail | null> {
  const person = await trx
    .selectFrom('users')
    .select(['email', 'locale', 'time_zone', 'status'])
    .where('org_id', '=', d.org_id)
    .where('id', '=', d.user_id)
    .executeTakeFirst();
  // Someone suspended or gone since: the in-app notices stay, no email.
  if (!person || person.status !== 'active') return null;
  const org = await trx
    .selectFrom('organizations')
    .select(['name', 'settings'])
    .where('id', '=', d.org_id)
    .executeTakeFirstOrThrow();
  const end = new Date(d.window_start.getTime() + digestWindowMs);
  const notes = await trx
    .selectFrom('notifications')
    .select(['title'])
    .where('org_id', '=', d.org_id)
    .where('user_id', '=', d.user_id)
    .where('created_at', '>=', d.window_start)
    .where('created_at', '<', end)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(digestListed)
    .execute();
  const locale = messageLocale(person.locale);
  const from = formatDateTime(d.window_start, locale, person.time_zone);
  const to = formatDateTime(end, locale, person.time_zone);
  const more = d.notices - notes.length;
  const content = {
    subject: `${d.notices} notices in ${org.name}`,
    blocks: [
      { p: `${d.notices} notices about people in ${org.name} between ${from} and ${to}.` },
      { p: 'You were emailed about the first; the most recent are:' },
      ...notes.map((n) => ({ p: `• ${n.title}` })),
      ...(more > 0 ? [{ p: `and ${more} more.` }] : []),
      { link: `${publicUrl}/`, label: 'See them all in Roster' },
    ],
  };
  return {
    orgId: d.org_id,
    // The count is part of the key: a late notice re-opens a flushed window and earns a second digest.
    dedupeKey: `digest:${d.user_id}:${d.window_start.toISOString()}:${d.notices}`,
    kind: 'notice_digest',
    recipientUserId: d.user_id,
    recipientEmail: person.email,
    ...renderEmail(content, { orgName: org.name, color: brandColorOf(org.settings) }),
  };
}
