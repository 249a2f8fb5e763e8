import {
  calculateJwkThumbprint,
  CompactSign,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
} from 'jose';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { signingAlgorithm } from '../keys/signing-keys.js';
import { sessionServices } from '../sessions/session-services.js';
import type { Services } from '../shared/context.js';
import { appendCheckpoint, lastCheckpointOf, readCheckpointFiles } from './checkpoint-files.js';
import { verifyAuditChain, type AuditChainVerification } from './verify-audit-chain.js';

/**
 * Signed checkpoints anchor each organisation's audit chain outside the database. The chain alone proves
 * only that it is self-consistent: whoever can write the tables as their owner (a superuser, a stolen
 * backup restored with edits) can change an event and recompute every later hash and the head. A
 * checkpoint — the head's (seq, hash) at a moment, signed with the instance's Ed25519 token-signing key —
 * kept in a folder and in the log, which the database cannot reach, pins that prefix of the chain: a
 * rewritten event at or before it no longer has the hash the checkpoint recorded.
 *
 * The key: the access-token signing key (already encrypted at rest under ROSTER_SECRET_KEY, already
 * rotated by `roster keys rotate`) rather than a second key to manage. Each checkpoint carries its kid and
 * public JWK; the verifier accepts it only if the signing_keys table knows that kid with that same public
 * key — retired keys stay in the table, so checkpoints outlive rotations.
 */
export const checkpointType = 'roster-audit-checkpoint';

export interface AuditCheckpoint {
  typ: typeof checkpointType;
  orgId: string;
  orgSlug: string;
  /** The chain head: the last event's sequence number and hash. */
  seq: number;
  hash: string;
  /** When the head event occurred, and when the checkpoint was signed (ISO 8601). */
  headAt: string;
  signedAt: string;
}

export interface CheckpointRun {
  /** Checkpoints signed now (organisations whose head moved since their last checkpoint). */
  written: number;
  /** Organisations whose head had not moved since their last checkpoint. */
  unchanged: number;
  /** Organisations whose chain failed verification: nothing signed for them (logged as an error). */
  refused: number;
}

async function chainProblem(
  db: Kysely<DB>,
  h: { org_id: string; last_seq: number; last_hash: string; hash: string | null },
  prior: AuditCheckpoint | undefined,
): Promise<string | null> {
  if (h.hash === null || h.hash !== h.last_hash) return 'the head does not name its last event';
  let from: { seq: number; hash: string } | undefined;
  if (prior) {
    // A head behind the last checkpoint: events were removed and the chain rebuilt shorter.
    if (prior.seq > h.last_seq)
      return `the head (seq ${h.last_seq}) is behind the last checkpoint (${prior.seq})`;
    const at = await db
      .selectFrom('audit_events')
      .select('hash')
      .where('org_id', '=', h.org_id)
      .where('seq', '=', prior.seq)
      .executeTakeFirst();
    if (at?.hash !== prior.hash) return `the event at seq ${prior.seq} differs from the last checkpoint`;
    from = { seq: prior.seq, hash: prior.hash };
  }
  const r = await verifyAuditChain(db, h.org_id, { from });
  return r.ok ? null : `${r.problem} at seq ${r.firstBrokenSeq}`;
}

/**
 * Signs a checkpoint of every organisation's chain head and writes it to `dir` (one file per organisation,
 * one compact JWS per line, appended) and to the log. With no folder, the log is the only sink.
 */
export async function createAuditCheckpoints(
  services: Services,
  options: { dir: string | undefined; now: Date },
): Promise<CheckpointRun> {
  const heads = await services.db
    .selectFrom('audit_chain_heads as h')
    .innerJoin('organizations as o', 'o.id', 'h.org_id')
    .leftJoin('audit_events as e', (j) =>
      j.onRef('e.org_id', '=', 'h.org_id').onRef('e.seq', '=', 'h.last_seq'),
    )
    .select(['h.org_id', 'o.slug', 'h.last_seq', 'h.last_hash', 'e.occurred_at', 'e.hash'])
    .where('h.last_seq', '>', 0)
    .orderBy('o.slug')
    .execute();
  const { kid, key } = await sessionServices(services).keys.signingKey();
  const jwk = (await sessionServices(services).keys.publicJwks()).find((k) => k.kid === kid);
  if (!jwk) throw new Error(`the public key ${kid} is not published`);
  const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const log = services.logger.child({ component: 'audit-checkpoints' });
  const run: CheckpointRun = { written: 0, unchanged: 0, refused: 0 };
  // The last checkpoint of each organisation: from the folder when there is one (what verification will
  // read), else the copy kept in the database, so a run signs only what moved and verifies only what is new.
  const kept = new Map(
    (await services.db.selectFrom('audit_last_checkpoints').select(['org_id', 'checkpoint']).execute()).map(
      (r) => [r.org_id, r.checkpoint],
    ),
  );
  for (const h of heads) {
    const prior = payloadOf(options.dir ? lastCheckpointOf(options.dir, h.org_id) : kept.get(h.org_id));
    if (prior && prior.seq === h.last_seq && prior.hash === h.last_hash) {
      run.unchanged += 1;
      continue;
    }
    // Never sign a chain that is already damaged: that would bless the damage. Verified since the last
    // checkpoint only (its event must still carry the signed hash); the whole chain when there is none.
    const problem = await chainProblem(services.db, h, prior);
    if (problem || !h.occurred_at) {
      log.error({ orgId: h.org_id, seq: h.last_seq, problem }, 'audit chain broken: no checkpoint signed');
      run.refused += 1;
      continue;
    }
    const occurredAt = h.occurred_at;
    const checkpoint: AuditCheckpoint = {
      typ: checkpointType,
      orgId: h.org_id,
      orgSlug: h.slug,
      seq: h.last_seq,
      hash: h.last_hash,
      headAt: occurredAt.toISOString(),
      signedAt: options.now.toISOString(),
    };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(checkpoint)))
      .setProtectedHeader({ alg: signingAlgorithm, typ: `${checkpointType}+jws`, kid, jwk: publicJwk })
      .sign(key);
    if (options.dir) appendCheckpoint(options.dir, h.org_id, jws);
    await services.db
      .insertInto('audit_last_checkpoints')
      .values({
        org_id: h.org_id,
        seq: h.last_seq,
        hash: h.last_hash,
        checkpoint: jws,
        signed_at: options.now,
      })
      .onConflict((oc) =>
        oc.column('org_id').doUpdateSet((eb) => ({
          seq: eb.ref('excluded.seq'),
          hash: eb.ref('excluded.hash'),
          checkpoint: eb.ref('excluded.checkpoint'),
          signed_at: eb.ref('excluded.signed_at'),
        })),
      )
      .execute();
    // The log is the second sink: shipped off the machine, it holds the same signed line.
    log.info(
      { orgId: h.org_id, seq: h.last_seq, hash: h.last_hash, kid, checkpoint: jws },
      'audit checkpoint',
    );
    run.written += 1;
  }
  return run;
}

function payloadOf(jws: string | undefined): AuditCheckpoint | undefined {
  if (jws === undefined) return undefined;
  try {
    const part = jws.split('.')[1] ?? '';
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as AuditCheckpoint;
  } catch {
    return undefined;
  }
}

export const checkpointProblems = [
  'malformed',
  'unknown_key',
  'bad_signature',
  'event_missing',
  'hash_differs',
  'chain_broken',
] as const;
export type CheckpointProblem = (typeof checkpointProblems)[number];

export interface CheckpointCheck {
  /** Where it was read: file and 1-based line. */
  file: string;
  line: number;
  orgId: string | null;
  orgSlug: string | null;
  seq: number | null;
  ok: boolean;
  problem?: CheckpointProblem;
  detail?: string;
}

/**
 * Proves that the current chains still extend every checkpoint in `dir`: each signature verifies with a
 * key the instance made, the event at the checkpoint's seq has the hash it recorded, and the chain
 * verifies from the first event through the head (so through the checkpoint). Checks run in file order,
 * lines in the order written.
 */
export async function verifyAuditCheckpoints(db: Kysely<DB>, dir: string): Promise<CheckpointCheck[]> {
  const keys = new Map<string, JWK>();
  for (const row of await db.selectFrom('signing_keys').select(['kid', 'public_jwk']).execute()) {
    keys.set(row.kid, row.public_jwk as JWK);
  }
  const chains = new Map<string, AuditChainVerification>();
  const out: CheckpointCheck[] = [];
  for (const entry of readCheckpointFiles(dir)) {
    const base = { file: entry.file, line: entry.line, orgId: null, orgSlug: null, seq: null };
    const verified = await verifySignature(entry.jws, keys);
    if (!verified.ok) {
      out.push({ ...base, ok: false, problem: verified.problem, detail: verified.detail });
      continue;
    }
    const cp = verified.checkpoint;
    const at = { ...base, orgId: cp.orgId, orgSlug: cp.orgSlug, seq: cp.seq };
    const event = await db
      .selectFrom('audit_events')
      .select('hash')
      .where('org_id', '=', cp.orgId)
      .where('seq', '=', cp.seq)
      .executeTakeFirst();
    if (!event) {
      out.push({ ...at, ok: false, problem: 'event_missing' });
      continue;
    }
    if (event.hash !== cp.hash) {
      out.push({
        ...at,
        ok: false,
        problem: 'hash_differs',
        detail: `stored ${event.hash}, signed ${cp.hash}`,
      });
      continue;
    }
    let chain = chains.get(cp.orgId);
    if (!chain) {
      chain = await verifyAuditChain(db, cp.orgId);
      chains.set(cp.orgId, chain);
    }
    if (!chain.ok) {
      out.push({
        ...at,
        ok: false,
        problem: 'chain_broken',
        detail: `${chain.problem} at seq ${chain.firstBrokenSeq}`,
      });
      continue;
    }
    out.push({ ...at, ok: true });
  }
  return out;
}

type SignatureCheck =
  { ok: true; checkpoint: AuditCheckpoint } | { ok: false; problem: CheckpointProblem; detail: string };

async function verifySignature(jws: string, keys: ReadonlyMap<string, JWK>): Promise<SignatureCheck> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return { ok: false, problem: 'malformed', detail: 'not a compact JWS' };
  }
  if (header.alg !== signingAlgorithm || header.typ !== `${checkpointType}+jws` || !header.kid) {
    return { ok: false, problem: 'malformed', detail: 'not a Roster audit checkpoint' };
  }
  const known = keys.get(header.kid);
  // The embedded key must be the one the instance recorded under that kid: a checkpoint signed by any
  // other key, even one whose public half it carries, proves nothing.
  if (!known || !header.jwk || header.jwk.x !== known.x || (await thumbprint(header.jwk)) !== header.kid) {
    return { ok: false, problem: 'unknown_key', detail: `kid ${header.kid} is not a key of this instance` };
  }
  try {
    const key = await importJWK({ kty: known.kty, crv: known.crv, x: known.x }, signingAlgorithm);
    const { payload } = await compactVerify(jws, key, { algorithms: [signingAlgorithm] });
    const cp = JSON.parse(new TextDecoder().decode(payload)) as AuditCheckpoint;
    if (cp.typ !== checkpointType || typeof cp.seq !== 'number' || typeof cp.hash !== 'string') {
      return { ok: false, problem: 'malformed', detail: 'unexpected payload' };
    }
    return { ok: true, checkpoint: cp };
  } catch {
    return { ok: false, problem: 'bad_signature', detail: 'the signature does not verify' };
  }
}

async function thumbprint(jwk: JWK): Promise<string | null> {
  try {
    return await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK);
  } catch {
    return null;
  }
}
