/**
 * The after-commit half of notify(): turns each pending `notices` row into in-app notifications and emails
 * for its audience, one bounded batch per transaction. The batch locks its notice row (SKIP LOCKED, so
 * workers take different notices), writes up to `batchSize` recipients' messages and advances the notice's
 * cursor in the same transaction: a process that dies mid-batch rolls the whole batch back and the next run
 * redoes exactly that batch. The messages' dedupe keys (cause, recipient, kind) make any overlap harmless.
 */
import { sql } from 'kysely';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import { withTransaction, type Tx } from '../../db/transaction.js';
import type { Services } from '../shared/context.js';
import {
  namedPeople,
  responsibleFor,
  roleHoldersPage,
  type NoticePerson,
  type RoleCursor,
} from './notice-audience.js';
import { renderNotice, type FrozenNotice } from './notice-content.js';
import { countInDigest, flushDueDigests } from './notice-digest.js';
import { dedupeKeyOf, isNotificationKind, recipientsFor, type NotificationKind } from './notice-rules.js';
import { retryDelayMs } from './outbox-backoff.js';
import { enqueueEmails, type OutgoingEmail } from './outbox.js';

/**
 * Recipients per batch (and transaction): on PostgreSQL 500 (a few thousand bind parameters per statement,
 * far below the 65,535 limit; ~50 ms a batch). On the embedded database 100: it has one connection, and a
 * batch of 100 holds it for ~20-25 ms, inside the 50 ms guardrail of performance.md (500 took ~115 ms).
 */
export function defaultFanOutBatchSize(services: Pick<Services, 'config'>): number {
  return services.config.databaseUrl ? 500 : 100;
}

/** Where a notice's fan-out stands: first the bounded named set, then each role's holders page by page. */
type Cursor = { phase: 'named' } | { phase: 'role'; role: number; after: RoleCursor | null };

interface NoticeRow {
  id: string;
  org_id: string;
  kind: string;
  cause: string;
  affected_user_id: string;
  actor_user_id: string | null;
  params: Record<string, unknown>;
  audience: Record<string, unknown>;
  cursor: Record<string, unknown> | null;
  created_at: Date;
}

export interface FanOutOptions {
  batchSize?: number;
  /** Stop after this many batches (the delivery loop interleaves fan-out with delivery). */
  maxBatches?: number;
  /** Only this notice (tests). */
  noticeId?: string;
  /** Runs inside each batch's transaction just before it commits (tests simulate a crash here). */
  beforeCommit?: (batch: { noticeId: string; batch: number; recipients: number }) => void | Promise<void>;
}

export interface FanOutCounts {
  batches: number;
  recipients: number;
  completed: number;
  /** Batches that failed (rolled back; their notice retried later). */
  failed: number;
}

function audienceOf(n: NoticeRow): { responsible: boolean; roles: RoleKey[]; userIds: string[] } {
  const a = n.audience;
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return {
    responsible: a.responsible === true,
    roles: strings(a.roles).filter(isRoleKey),
    userIds: strings(a.userIds),
  };
}

/** The next page of recipients and the cursor after it (null: the fan-out is complete after this page). */
async function nextPage(
  trx: Tx,
  n: NoticeRow,
  batchSize: number,
): Promise<{ people: NoticePerson[]; next: Cursor | null }> {
  const audience = audienceOf(n);
  const cursor = (n.cursor as Cursor | null) ?? { phase: 'named' };
  const afterNamed: Cursor | null =
    audience.roles.length > 0 ? { phase: 'role', role: 0, after: null } : null;
  if (cursor.phase === 'named') {
    const exclude = [n.affected_user_id, ...(n.actor_user_id ? [n.actor_user_id] : [])];
    const people = [
      ...(audience.responsible ? await responsibleFor(trx, n.org_id, n.affected_user_id, exclude) : []),
      ...(await namedPeople(trx, n.org_id, audience.userIds)),
    ];
    return { people, next: afterNamed };
  }
  const role = audience.roles[cursor.role];
  if (!role) return { people: [], next: null };
  const page = await roleHoldersPage(trx, n.org_id, role, cursor.after, batchSize);
  if (page.people.length < batchSize) {
    const more = cursor.role + 1 < audience.roles.length;
    return { people: page.people, next: more ? { phase: 'role', role: cursor.role + 1, after: null } : null };
  }
  return { people: page.people, next: { phase: 'role', role: cursor.role, after: page.last } };
}

/** Writes one page's in-app notifications and emails; returns how many people were newly told. */
async function tell(
  trx: Tx,
  services: Services,
  n: NoticeRow,
  kind: NotificationKind,
  people: NoticePerson[],
) {
  const byId = new Map(people.map((p) => [p.id, p]));
  const optedOut =
    byId.size === 0
      ? []
      : await trx
          .selectFrom('notification_opt_outs')
          .select('user_id')
          .where('org_id', '=', n.org_id)
          .where('kind', '=', kind)
          .where('user_id', 'in', [...byId.keys()])
          .execute();
  const recipients = recipientsFor({
    kind,
    affectedUserId: n.affected_user_id,
    actorUserId: n.actor_user_id,
    adminUserIds: [...byId.keys()],
    optedOut: new Set(optedOut.map((o) => o.user_id)),
  }).filter((r) => r.audience === 'admin');
  if (recipients.length === 0) return 0;

  const facts = n.params as unknown as FrozenNotice;
  const rendered = new Map(
    recipients.map((r) => [r.userId, renderNotice(kind, facts, 'admin', byId.get(r.userId)!)]),
  );
  // In-app first: only the people this insert newly tells are counted and emailed, so a repeated page (a
  // person both named and holding a role, a re-run) never counts or emails twice.
  const fresh = await trx
    .insertInto('notifications')
    .values(
      recipients.map((r) => ({
        org_id: n.org_id,
        user_id: r.userId,
        dedupe_key: dedupeKeyOf(n.cause, r.userId, kind),
        kind,
        title: rendered.get(r.userId)!.subject,
        body: rendered.get(r.userId)!.inAppBody,
        data: JSON.stringify({ userId: n.affected_user_id }),
        created_at: n.created_at,
      })),
    )
    .onConflict((oc) => oc.columns(['org_id', 'user_id', 'dedupe_key']).doNothing())
    .returning('user_id')
    .execute();
  const told = fresh.map((f) => f.user_id);
  const firstInWindow = await countInDigest(trx, n.org_id, told, n.created_at);
  const emails: OutgoingEmail[] = told
    .filter((id) => firstInWindow.has(id))
    .map((id) => {
      const { inAppBody, ...mail } = rendered.get(id)!;
      void inAppBody;
      return {
        orgId: n.org_id,
        dedupeKey: dedupeKeyOf(n.cause, id, kind),
        kind,
        recipientUserId: id,
        recipientEmail: byId.get(id)!.email,
        ...mail,
      };
    });
  await enqueueEmails(trx, services.config.publicUrl, emails, services.clock.now());
  return told.length;
}

/** One batch of one pending notice, in its own transaction; null when no notice is pending (or free). */
export async function fanOutBatch(
  services: Services,
  options: FanOutOptions = {},
): Promise<{ noticeId: string; recipients: number; completed: boolean } | null> {
  const batchSize = options.batchSize ?? defaultFanOutBatchSize(services);
  const now = services.clock.now();
  let claimed: string | undefined;
  try {
    return await batchIn(services, options, batchSize, now, (id) => (claimed = id));
  } catch (err) {
    // The batch rolled back whole. Record the failure in a transaction of its own and push the notice
    // back (30 s doubling to 1 h), so one broken notice never holds up the others or the mail.
    if (claimed) {
      const id = claimed;
      // Best effort: when the database itself is gone this fails too, and the original error is reported.
      await services.db
        .updateTable('notices')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          last_error: err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500),
          next_attempt_at: sql<Date>`${now}::timestamptz + ${retryDelayMs(1)} * interval '1 millisecond' * power(2, least(attempts, 7))`,
        }))
        .where('id', '=', id)
        .execute()
        .catch(() => undefined);
    }
    throw err;
  }
}

async function batchIn(
  services: Services,
  options: FanOutOptions,
  batchSize: number,
  now: Date,
  onClaim: (id: string) => void,
): Promise<{ noticeId: string; recipients: number; completed: boolean } | null> {
  return withTransaction(services.db, async ({ trx }) => {
    const n = await trx
      .selectFrom('notices')
      .select([
        'id',
        'org_id',
        'kind',
        'cause',
        'affected_user_id',
        'actor_user_id',
        'params',
        'audience',
        'cursor',
        'created_at',
      ])
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .$if(options.noticeId !== undefined, (q) => q.where('id', '=', options.noticeId!))
      .orderBy('next_attempt_at')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!n) return null;
    onClaim(n.id);
    const kind = isNotificationKind(n.kind) ? n.kind : null;
    const page = kind ? await nextPage(trx, n, batchSize) : { people: [], next: null };
    const told = kind ? await tell(trx, services, n, kind, page.people) : 0;
    const completed = page.next === null;
    const updated = await trx
      .updateTable('notices')
      .set((eb) => ({
        cursor: JSON.stringify(page.next),
        recipients: eb('recipients', '+', told),
        batches: eb('batches', '+', 1),
        ...(completed ? { status: 'done', completed_at: services.clock.now() } : {}),
      }))
      .where('id', '=', n.id)
      .returning('batches')
      .executeTakeFirstOrThrow();
    await options.beforeCommit?.({ noticeId: n.id, batch: updated.batches, recipients: told });
    return { noticeId: n.id, recipients: told, completed };
  });
}

/** Fans out pending notices batch by batch until none is left (or `maxBatches`), then flushes digests. */
export async function fanOutNotices(services: Services, options: FanOutOptions = {}): Promise<FanOutCounts> {
  const counts: FanOutCounts = { batches: 0, recipients: 0, completed: 0, failed: 0 };
  while (options.maxBatches === undefined || counts.batches < options.maxBatches) {
    let r: Awaited<ReturnType<typeof fanOutBatch>>;
    try {
      r = await fanOutBatch(services, options);
    } catch (err) {
      services.logger.warn({ err }, 'notice fan-out batch failed; the notice is retried later');
      counts.failed += 1;
      counts.batches += 1;
      continue;
    }
    if (!r) break;
    counts.batches += 1;
    counts.recipients += r.recipients;
    if (r.completed) counts.completed += 1;
  }
  await flushDueDigests(services, services.clock.now());
  return counts;
}
