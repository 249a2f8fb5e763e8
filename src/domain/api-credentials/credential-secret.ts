import { createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.js';
import { resolveSecretKey } from '../keys/secret-key.js';

/**
 * API credentials are shown once as `rst_<kind>_<id>_<secret>`: a fixed prefix secret scanners can match
 * (GitHub-style), the row's id (32 hex digits, so a look-up is by primary key) and 256 random bits.
 * Stored: HMAC-SHA-256 of kind, id and secret under a key derived with HKDF from ROSTER_SECRET_KEY (info
 * `api-credential-hash/v1`, independent of the other keys derived from it). The secret has full entropy,
 * so no stretching (argon2) is needed: a fast keyed hash is as strong as the secret and costs a
 * microsecond per request; the key means a copy of the table alone cannot even test guesses.
 */
export type CredentialKind = 'scim' | 'pat';

export interface IssuedSecret {
  id: string;
  token: string;
  hash: string;
}

const tokenPattern = /^rst_(scim|pat)_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  kind: CredentialKind;
  id: string;
  secret: string;
}

/** Splits a presented token; null when it is not one of ours (nothing else is revealed). Pure. */
export function parseCredentialToken(token: string): ParsedToken | null {
  const m = tokenPattern.exec(token);
  if (!m) return null;
  const hex = m[2]!;
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { kind: m[1] as CredentialKind, id, secret: m[3]! };
}

const keys = new Map<string, Buffer>();

async function hashKey(config: Pick<Config, 'secretKey' | 'dataDir'>): Promise<Buffer> {
  const secret = await resolveSecretKey(config);
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'roster', 'api-credential-hash/v1', 32));
    keys.set(secret, key);
  }
  return key;
}

export async function hashCredentialSecret(
  config: Pick<Config, 'secretKey' | 'dataDir'>,
  kind: CredentialKind,
  id: string,
  secret: string,
): Promise<string> {
  const key = await hashKey(config);
  return createHmac('sha256', key).update(`${kind}:${id}:${secret}`).digest('hex');
}

/** A new secret for a credential id (a new id unless rotating): the token to show once and its hash. */
export async function issueCredentialSecret(
  config: Pick<Config, 'secretKey' | 'dataDir'>,
  kind: CredentialKind,
  id: string = randomUUID(),
): Promise<IssuedSecret> {
  const secret = randomBytes(32).toString('base64url');
  const token = `rst_${kind}_${id.replaceAll('-', '')}_${secret}`;
  return { id, token, hash: await hashCredentialSecret(config, kind, id, secret) };
}

const dummyHash = '0'.repeat(64);

/**
 * Whether the presented secret matches the stored hash, compared in constant time. With no stored hash
 * (unknown id) a dummy is compared, so an unknown token costs what a wrong one does.
 */
export async function secretMatches(
  config: Pick<Config, 'secretKey' | 'dataDir'>,
  parsed: ParsedToken,
  stored: string | undefined,
): Promise<boolean> {
  const presented = Buffer.from(
    await hashCredentialSecret(config, parsed.kind, parsed.id, parsed.secret),
    'hex',
  );
  const expected = Buffer.from(stored ?? dummyHash, 'hex');
  if (expected.length !== presented.length) return false;
  return timingSafeEqual(presented, expected) && stored !== undefined;
}
