import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { hashSecretToken, newSecretToken } from '../shared/secret-token.js';
import type { SecondFactorMethod } from './factors.js';

/** The sign-in's second step: how long a challenge lives and how many codes it lets a person try. */
export const challengeRules = { ttlMs: 5 * 60_000, maxAttempts: 5 } as const;

export interface IssuedMfaChallenge {
  /** A 256-bit secret naming the challenge; only its hash is stored. */
  id: string;
  methods: SecondFactorMethod[];
  expiresAt: Date;
}

export const hashChallengeId = (id: string) => hashSecretToken('mfa_challenge', id);

/**
 * After a right password for a person with a second factor: a challenge bound to that user and
 * organisation, single use, short-lived. Issuing one ends the person's earlier unfinished ones, so only the
 * newest sign-in in progress can be completed.
 */
export async function issueMfaChallenge(
  db: Kysely<DB>,
  user: { org_id: string; id: string },
  methods: SecondFactorMethod[],
  now: Date,
): Promise<IssuedMfaChallenge> {
  const id = newSecretToken();
  const expiresAt = new Date(now.getTime() + challengeRules.ttlMs);
  await db
    .with('ended', (q) =>
      q
        .deleteFrom('mfa_challenges')
        .where('org_id', '=', user.org_id)
        .where('user_id', '=', user.id)
        .where('used_at', 'is', null),
    )
    .insertInto('mfa_challenges')
    .values({
      org_id: user.org_id,
      user_id: user.id,
      token_hash: hashChallengeId(id),
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return { id, methods, expiresAt };
}

/** The challenge named by a secret id, with its user (as sign-in sees them) and organisation's settings. */
export async function findMfaChallenge(db: Kysely<DB>, challengeId: string) {
  return db
    .selectFrom('mfa_challenges as c')
    .innerJoin('users as u', (j) => j.onRef('u.org_id', '=', 'c.org_id').onRef('u.id', '=', 'c.user_id'))
    .innerJoin('organizations as o', 'o.id', 'c.org_id')
    .select(['c.id as challenge_pk', 'c.attempts', 'c.used_at as challenge_used_at', 'c.expires_at'])
    .selectAll('u')
    .select('o.settings as org_settings')
    .where('c.token_hash', '=', hashChallengeId(challengeId))
    .executeTakeFirst();
}

/** Pure: a challenge may still be answered (not used, not expired, attempts left). */
export function mfaChallengeUsable(
  c: { challenge_used_at: Date | null; expires_at: Date; attempts: number },
  now: Date,
): boolean {
  return (
    !c.challenge_used_at && c.expires_at.getTime() > now.getTime() && c.attempts < challengeRules.maxAttempts
  );
}
