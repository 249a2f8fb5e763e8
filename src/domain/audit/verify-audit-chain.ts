import type { Kysely } from 'kysely';
import type { AuditChainHeadsTable, AuditEventRow, DB } from '../../db/schema.js';

export { hashedFieldsOf } from './audit-hash.js';
import { auditEventHash, genesisHash, hashedFieldsOf } from './audit-hash.js';
import { auditEventBatches } from './audit-event-query.js';

export const auditChainProblems = ['hash_mismatch', 'link_broken', 'sequence_gap', 'head_mismatch'] as const;
export type AuditChainProblem = (typeof auditChainProblems)[number];

/** Where the chain first fails: the sequence number, and the id of the event stored there (none if missing). */
export interface AuditChainBreak {
  problem: AuditChainProblem;
  seq: number;
  eventId: string | null;
}

export type AuditChainVerification =
  | { ok: true; checked: number }
  | {
      ok: false;
      /** Events verified intact before the break. */
      checked: number;
      firstBrokenSeq: number;
      firstBrokenEventId: string | null;
      problem: AuditChainProblem;
    };

type ChainHead = Pick<AuditChainHeadsTable, 'last_seq' | 'last_hash'>;

/**
 * The rules of the chain, fed one event at a time in sequence order. Pure (no I/O), so streaming and
 * checking stay apart. Sequence numbers run 1, 2, 3… with no gap; each event's prev_hash is the hash of
 * the one before (the genesis hash for the first); each hash recomputes from the event's own fields; the
 * chain head names the last event.
 */
export class AuditChainChecker {
  private expectedSeq: number;
  private prevHash: string;
  private lastId: string | null = null;
  /** Events verified intact so far. */
  checked = 0;

  /** `from`: start after an event already trusted (a signed checkpoint) instead of at the genesis. */
  constructor(from?: { seq: number; hash: string }) {
    this.expectedSeq = (from?.seq ?? 0) + 1;
    this.prevHash = from?.hash ?? genesisHash;
  }

  next(row: AuditEventRow): AuditChainBreak | null {
    // A missing event shows as a jump in the sequence; the primary key rules out duplicates.
    if (row.seq !== this.expectedSeq)
      return { problem: 'sequence_gap', seq: this.expectedSeq, eventId: null };
    if (row.prev_hash !== this.prevHash) return { problem: 'link_broken', seq: row.seq, eventId: row.id };
    if (auditEventHash(row.prev_hash, hashedFieldsOf(row)) !== row.hash) {
      return { problem: 'hash_mismatch', seq: row.seq, eventId: row.id };
    }
    this.expectedSeq += 1;
    this.prevHash = row.hash;
    this.lastId = row.id;
    this.checked += 1;
    return null;
  }

  /** After the last event: the head must name it (no head, and no events, is an empty chain). */
  finish(head: ChainHead | undefined): AuditChainBreak | null {
    const lastSeq = this.expectedSeq - 1;
    const headSeq = head?.last_seq ?? 0;
    if (headSeq === lastSeq && (head?.last_hash ?? genesisHash) === this.prevHash) return null;
    // Events the head counts but the table lacks: the first missing one is where the chain breaks.
    if (headSeq > lastSeq) return { problem: 'head_mismatch', seq: lastSeq + 1, eventId: null };
    // Same length, other hash. (Callers feed events only up to the head's seq, so never more events.)
    return { problem: 'head_mismatch', seq: lastSeq, eventId: this.lastId };
  }
}

export interface VerifyOptions {
  /** Events per query; about 5,000 keeps memory flat and each query short. */
  batchSize?: number;
  /**
   * Verify only the events after this one, taking its hash as given (the caller checked it against a
   * signed checkpoint): the cost is then that of the events since, not of the whole chain.
   */
  from?: { seq: number; hash: string } | undefined;
}

/**
 * Verifies one organisation's audit chain by streaming its events in sequence order and recomputing every
 * hash. Runs without a long transaction (on the embedded database that would block every other request):
 * it reads the head first and checks the events up to it, so events appended meanwhile are not mistaken
 * for damage, while an event slipped in behind the head's back still is.
 */
export async function verifyAuditChain(
  db: Kysely<DB>,
  orgId: string,
  options: VerifyOptions = {},
): Promise<AuditChainVerification> {
  const readHead = () =>
    db
      .selectFrom('audit_chain_heads')
      .select(['last_seq', 'last_hash'])
      .where('org_id', '=', orgId)
      .executeTakeFirst();
  const head = await readHead();
  const checker = new AuditChainChecker(options.from);
  const broken = (b: AuditChainBreak): AuditChainVerification => ({
    ok: false,
    checked: checker.checked,
    firstBrokenSeq: b.seq,
    firstBrokenEventId: b.eventId,
    problem: b.problem,
  });

  const batches = auditEventBatches(db, orgId, {
    afterSeq: options.from?.seq ?? 0,
    throughSeq: head?.last_seq ?? 0,
    batchSize: options.batchSize ?? 5000,
  });
  for await (const rows of batches) {
    for (const row of rows) {
      const b = checker.next(row);
      if (b) return broken(b);
    }
  }
  const atHead = checker.finish(head);
  if (atHead) return broken(atHead);

  // An event beyond the head we read is either a concurrent append (its transaction moved the head too) or
  // one inserted without going through the chain.
  const beyond = await db
    .selectFrom('audit_events')
    .select(['seq', 'id'])
    .where('org_id', '=', orgId)
    .where('seq', '>', head?.last_seq ?? 0)
    .orderBy('seq', 'asc')
    .limit(1)
    .executeTakeFirst();
  if (beyond) {
    const now = await readHead();
    if ((now?.last_seq ?? 0) < beyond.seq) {
      return broken({ problem: 'head_mismatch', seq: beyond.seq, eventId: beyond.id });
    }
  }
  return { ok: true, checked: checker.checked };
}

export interface OrganizationChain {
  orgId: string;
  slug: string;
  result: AuditChainVerification;
}

/** Verifies the chain of one organisation (by slug) or of all, in slug order. Unknown slug: an empty list. */
export async function verifyAuditChains(
  db: Kysely<DB>,
  options: VerifyOptions & { orgSlug?: string | undefined } = {},
): Promise<OrganizationChain[]> {
  let q = db.selectFrom('organizations').select(['id', 'slug']).orderBy('slug');
  if (options.orgSlug !== undefined) q = q.where('slug', '=', options.orgSlug);
  const orgs = await q.execute();
  const out: OrganizationChain[] = [];
  for (const org of orgs) {
    out.push({ orgId: org.id, slug: org.slug, result: await verifyAuditChain(db, org.id, options) });
  }
  return out;
}
