import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { hashSecretToken } from '../shared/secret-token.js';
import { passkeyRules } from './relying-party.js';

/**
 * WebAuthn challenges in flight (`webauthn_challenges`): stored only hashed, 5 minutes, bound to the
 * ceremony — a registration to the signed-in session that began it, a passwordless sign-in to a random
 * ceremony id given to that client, a sign-in's second step to its MFA challenge id and user, a step-up to
 * the signed-in session and user — and used once: `consumeChallenge` is one conditional DELETE ...
 * RETURNING, so of two submissions of one response at most one finds its challenge. A challenge is
 * consumed before the response is verified: a response that fails cannot be tried again.
 */
type Db = Kysely<DB> | Tx;

export type ChallengeBinding =
  | { purpose: 'registration' | 'reauthentication'; orgId: string; userId: string; sessionId: string }
  | { purpose: 'authentication'; ceremonyId: string; orgId?: string | null; userId?: string | null }
  /** The second step of a password sign-in: the ceremony is the MFA challenge (its secret id). */
  | { purpose: 'second_factor'; ceremonyId: string; orgId: string; userId: string };

const bySession = (b: ChallengeBinding): b is Extract<ChallengeBinding, { sessionId: string }> =>
  b.purpose === 'registration' || b.purpose === 'reauthentication';

export async function storeChallenge(
  db: Db,
  challenge: string,
  binding: ChallengeBinding,
  now: Date,
): Promise<Date> {
  const expiresAt = new Date(now.getTime() + passkeyRules.challengeTtlMs);
  // Expired ceremonies are cleared as new ones begin (a bounded batch; the expiry index finds them).
  await db
    .deleteFrom('webauthn_challenges')
    .where(
      'id',
      'in',
      db.selectFrom('webauthn_challenges').select('id').where('expires_at', '<=', now).limit(100),
    )
    .execute();
  // A step-up or a second step has one ceremony in flight: a new one replaces the earlier (so the rows one
  // MFA challenge or one session can make stay bounded, and only the latest options work).
  if (binding.purpose === 'reauthentication') {
    await db
      .deleteFrom('webauthn_challenges')
      .where('purpose', '=', 'reauthentication')
      .where('session_id', '=', binding.sessionId)
      .execute();
  } else if (binding.purpose === 'second_factor') {
    await db
      .deleteFrom('webauthn_challenges')
      .where('purpose', '=', 'second_factor')
      .where('ceremony_hash', '=', hashSecretToken('webauthn_ceremony', binding.ceremonyId))
      .execute();
  }
  await db
    .insertInto('webauthn_challenges')
    .values({
      challenge_hash: hashSecretToken('webauthn_challenge', challenge),
      purpose: binding.purpose,
      org_id: binding.orgId ?? null,
      user_id: binding.userId ?? null,
      session_id: bySession(binding) ? binding.sessionId : null,
      ceremony_hash: bySession(binding) ? null : hashSecretToken('webauthn_ceremony', binding.ceremonyId),
      created_at: now,
      expires_at: expiresAt,
    })
    .execute();
  return expiresAt;
}

/** Uses the challenge once if it is live and bound as given; false when it is unknown, used, expired or not this ceremony's. */
export async function consumeChallenge(
  db: Db,
  challenge: string,
  binding: ChallengeBinding,
  now: Date,
): Promise<boolean> {
  let q = db
    .deleteFrom('webauthn_challenges')
    .where('challenge_hash', '=', hashSecretToken('webauthn_challenge', challenge))
    .where('purpose', '=', binding.purpose)
    .where('expires_at', '>', now);
  if (bySession(binding)) {
    q = q
      .where('org_id', '=', binding.orgId)
      .where('user_id', '=', binding.userId)
      .where('session_id', '=', binding.sessionId);
  } else {
    q = q.where('ceremony_hash', '=', hashSecretToken('webauthn_ceremony', binding.ceremonyId));
    if (binding.orgId) q = q.where('org_id', '=', binding.orgId);
    if (binding.userId) q = q.where('user_id', '=', binding.userId);
  }
  const row = await q.returning(sql<number>`1`.as('one')).executeTakeFirst();
  return row !== undefined;
}
