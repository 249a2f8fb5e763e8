import { sql } from 'kysely';
import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { Actor, Services } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { generateSeedBatch, seededRandom, type SeedBatch } from './seed-data.js';

export const seedUsersInput = z
  .object({
    orgId: z.string().max(64),
    count: z.number().int().min(1).max(10_000_000),
    /** Rows per INSERT; 10k-50k is near COPY speed without holding a huge statement in memory. */
    batchSize: z.number().int().min(100).max(50_000).default(20_000),
    /** Same seed, same users. */
    seed: z.number().int().default(20261127),
  })
  .strict();

export interface SeedUsersResult {
  inserted: number;
  /** Rows the run asked for that already existed (same email) and were left alone. */
  skipped: number;
  milliseconds: number;
  rowsPerSecond: number;
}

// Text and timestamp columns are sent as arrays and zipped by unnest: one statement per batch, no per-row
// round trip and no parameter limit. (COPY would be a little faster but needs pg-copy-streams, and PGlite
// takes the same statement.)
const insertBatch = (orgId: string, b: SeedBatch) => sql<{ n: number }>`
  with inserted as (
    insert into users (org_id, email, email_normalized, display_name, search_text, job_title, role, status,
      status_reason, status_changed_at, suspended_until, created_at, updated_at, activated_at, last_login_at,
      last_active_at, locale, time_zone)
    select ${orgId}::uuid, t.email, t.email_normalized, t.display_name, t.search_text, t.job_title, t.role,
      t.status, t.status_reason, t.status_changed_at, t.suspended_until, t.created_at, t.status_changed_at,
      t.activated_at, t.last_login_at, t.last_active_at, t.locale, t.time_zone
    from unnest(${b.email}::text[], ${b.email_normalized}::text[], ${b.display_name}::text[],
      ${b.search_text}::text[], ${b.job_title}::text[], ${b.role}::text[], ${b.status}::text[],
      ${b.status_reason}::text[], ${b.status_changed_at}::timestamptz[], ${b.suspended_until}::timestamptz[],
      ${b.created_at}::timestamptz[], ${b.activated_at}::timestamptz[], ${b.last_login_at}::timestamptz[],
      ${b.last_active_at}::timestamptz[], ${b.locale}::text[], ${b.time_zone}::text[])
      as t(email, email_normalized, display_name, search_text, job_title, role, status, status_reason,
        status_changed_at, suspended_until, created_at, activated_at, last_login_at, last_active_at, locale,
        time_zone)
    on conflict (org_id, email_normalized) do nothing
    returning id, last_login_at, last_active_at
  ),
  -- A seeded user who "signed in" gets that sign-in's session, ended by inactivity at its last activity:
  -- the user page's last sign-in and its list of sessions tell one story (issue 11, item 16).
  signed_in as (
    insert into sessions (org_id, user_id, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
    select ${orgId}::uuid, i.id, i.last_login_at, coalesce(i.last_active_at, i.last_login_at),
      coalesce(i.last_active_at, i.last_login_at), i.last_login_at + interval '12 hours'
    from inserted i
    where i.last_login_at is not null
    returning 1
  )
  select count(*) as n from inserted`;

/** The organisation to seed: the one with this slug, or the first one created. NOT_FOUND when none. */
export async function seedTarget(
  services: Services,
  slug?: string,
): Promise<{ id: string; slug: string; name: string }> {
  let q = services.db.selectFrom('organizations').select(['id', 'slug', 'name']);
  q = slug !== undefined ? q.where('slug', '=', slug) : q.orderBy('created_at').orderBy('id').limit(1);
  const org = await q.executeTakeFirst();
  if (!org)
    throw new DomainError(
      'NOT_FOUND',
      slug ? `No organisation with slug "${slug}".` : 'No organisation yet.',
    );
  return org;
}

/**
 * Bulk-generates realistic users for demos and benchmarks, all in one transaction (all or nothing).
 *
 * Audit: the run writes ONE event, `users.seeded`, with the count — not one per user. Seeding is an
 * operator's tool for demo and benchmark data, not a decision about people; a million per-user events
 * would only drown the trail (and double the run time). The event still records who seeded how many, when.
 *
 * Emails are numbered from the organisation's current user count, so a second run adds new users; a clash
 * with an existing email is skipped, never overwritten. Seeded users have no password (cannot sign in).
 */
export async function seedUsers(
  services: Services,
  raw: z.input<typeof seedUsersInput>,
  actor?: Actor,
): Promise<SeedUsersResult> {
  const input = parseInput(seedUsersInput, raw);
  if (!isUuid(input.orgId)) throw new DomainError('NOT_FOUND');
  const started = performance.now();
  const now = services.clock.now();
  const by: Actor = actor ?? { type: 'system', orgId: input.orgId, name: 'cli' };

  const inserted = await withTransaction(services.db, async ({ trx }) => {
    const org = await trx
      .selectFrom('organizations')
      .select('id')
      .where('id', '=', input.orgId)
      .executeTakeFirst();
    if (!org) throw new DomainError('NOT_FOUND');
    const existing = await trx
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', input.orgId)
      .executeTakeFirstOrThrow();
    const rng = seededRandom(input.seed + Number(existing.n));
    let total = 0;
    for (let done = 0; done < input.count; done += input.batchSize) {
      const n = Math.min(input.batchSize, input.count - done);
      const batch = generateSeedBatch(
        rng,
        Number(existing.n) + done,
        n,
        now,
        Number(existing.n) + input.count,
      );
      const r = await insertBatch(input.orgId, batch).execute(trx);
      total += Number(r.rows[0]?.n ?? 0);
    }
    await recordAuditEvent(
      trx,
      input.orgId,
      { actor: by, meta: {}, now },
      {
        action: 'users.seeded',
        targetType: 'organization',
        targetId: input.orgId,
        changes: { count: total, requested: input.count, seed: input.seed },
      },
    );
    return total;
  });
  // Fresh statistics, so list counts (planner estimates) and plans reflect the new rows at once.
  await sql`analyze users`.execute(services.db);
  const milliseconds = performance.now() - started;
  return {
    inserted,
    skipped: input.count - inserted,
    milliseconds: Math.round(milliseconds),
    rowsPerSecond: Math.round((inserted / milliseconds) * 1000),
  };
}
