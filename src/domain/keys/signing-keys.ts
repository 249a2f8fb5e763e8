import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import { sql, type Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import type { Clock } from '../shared/clock.js';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js';
import { resolveSecretKey } from './secret-key.js';

/** Access tokens are signed with Ed25519 only; verification pins this algorithm. */
export const signingAlgorithm = 'EdDSA';

interface KeyDeps {
  db: Kysely<DB>;
  config: Config;
  clock: Clock;
}

/**
 * Makes a new Ed25519 key and stores it: public JWK in clear, private JWK sealed under the secret key.
 * Serialised by an advisory lock, so two instances starting together do not both make a "first" key.
 * `onlyIfNone`: create only when there is no unretired key (first use); otherwise always (rotation).
 */
export async function createSigningKey(deps: KeyDeps, onlyIfNone: boolean): Promise<string | null> {
  const secret = await resolveSecretKey(deps.config);
  const { publicKey, privateKey } = await generateKeyPair(signingAlgorithm, {
    crv: 'Ed25519',
    extractable: true,
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  const sealed = encryptPrivateKey(secret, kid, JSON.stringify(privateJwk));
  return withTransaction(deps.db, async ({ trx }) => {
    await sql`select pg_advisory_xact_lock(hashtext('roster_signing_keys'))`.execute(trx);
    if (onlyIfNone) {
      const any = await trx
        .selectFrom('signing_keys')
        .select('kid')
        .where('retired_at', 'is', null)
        .executeTakeFirst();
      if (any) return null;
    }
    await trx
      .insertInto('signing_keys')
      .values({
        kid,
        alg: signingAlgorithm,
        public_jwk: JSON.stringify({ ...publicJwk, kid, alg: signingAlgorithm, use: 'sig' }),
        private_jwk_encrypted: sealed,
        created_at: deps.clock.now(),
      })
      .execute();
    return kid;
  });
}

/**
 * Retires keys that were superseded longer ago than an access token lives (plus a minute of skew): no
 * unexpired token can carry their kid any more, so they leave the JWKS. Pure on the list it is given.
 */
export function keysToRetire(
  keys: readonly { kid: string; createdAt: Date }[],
  now: Date,
  tokenTtlSeconds: number,
): string[] {
  const newestFirst = [...keys].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const graceMs = (tokenTtlSeconds + 60) * 1000;
  const out: string[] = [];
  for (let i = 1; i < newestFirst.length; i++) {
    const supersededAt = newestFirst[i - 1]!.createdAt.getTime();
    if (supersededAt + graceMs < now.getTime()) out.push(newestFirst[i]!.kid);
  }
  return out;
}

interface PublishedKey {
  kid: string;
  createdAt: Date;
  publicJwk: JWK;
  verifyKey: CryptoKey | Uint8Array;
}

/**
 * This process's view of the signing keys: the active private key (newest unretired) and every unretired
 * public key for verification. Reloaded when the signing key is older than a minute (so a rotation by the
 * CLI reaches running servers) and when a token names an unknown kid, at most once per 5 seconds (so a
 * flood of made-up kids cannot turn into a flood of queries).
 */
export class KeyRing {
  private published = new Map<string, PublishedKey>();
  private active: { kid: string; key: CryptoKey | Uint8Array } | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | undefined;

  static readonly maxAgeMs = 60_000;
  static readonly unknownKidRefreshMs = 5_000;

  constructor(private readonly deps: KeyDeps) {}

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  /** The key new tokens are signed with; created on first use. */
  async signingKey(): Promise<{ kid: string; key: CryptoKey | Uint8Array }> {
    if (!this.active || this.now() - this.loadedAt > KeyRing.maxAgeMs) await this.reload();
    if (!this.active) {
      await createSigningKey(this.deps, true);
      await this.reload();
    }
    if (!this.active) throw new Error('no signing key available');
    return this.active;
  }

  /** Synchronous fast path for verification: only keys already loaded. */
  knownKey(kid: string): CryptoKey | Uint8Array | undefined {
    return this.published.get(kid)?.verifyKey;
  }

  /** A verification key by kid, reloading (rate-limited) when the kid is not known yet. */
  async verificationKey(kid: string): Promise<CryptoKey | Uint8Array | undefined> {
    const known = this.knownKey(kid);
    if (known) return known;
    if (this.now() - this.loadedAt >= KeyRing.unknownKidRefreshMs) await this.reload();
    return this.knownKey(kid);
  }

  /** Public keys for the JWKS document; makes the first key if there is none. */
  async publicJwks(): Promise<JWK[]> {
    await this.signingKey();
    return [...this.published.values()].map((k) => k.publicJwk);
  }

  /** Forget what is loaded (after a rotation in this process). */
  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
  }

  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const startedAt = this.now();
    const rows = await this.deps.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('retired_at', 'is', null)
      .where('alg', '=', signingAlgorithm)
      .orderBy('created_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
    const published = new Map<string, PublishedKey>();
    for (const row of rows) {
      const prior = this.published.get(row.kid);
      const publicJwk = row.public_jwk as JWK;
      published.set(row.kid, {
        kid: row.kid,
        createdAt: row.created_at,
        publicJwk,
        verifyKey: prior?.verifyKey ?? (await importJWK(publicJwk, signingAlgorithm)),
      });
    }
    const newest = rows[0];
    let active = this.active;
    if (!newest) active = undefined;
    else if (active?.kid !== newest.kid) {
      const secret = await resolveSecretKey(this.deps.config);
      const privateJwk = JSON.parse(
        decryptPrivateKey(secret, newest.kid, newest.private_jwk_encrypted),
      ) as JWK;
      active = { kid: newest.kid, key: await importJWK(privateJwk, signingAlgorithm) };
    }
    this.published = published;
    this.active = active;
    this.loadedAt = startedAt;
  }
}
