import { randomUUID } from 'node:crypto';
import type { SessionRow } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import type { RequestMeta } from '../shared/context.js';
import { hashSecretToken, newSecretToken } from '../shared/secret-token.js';
import { newSessionExpiries, type SessionPolicy } from './session-policy.js';

/** How the session was opened; 'invitation': by accepting an invitation (token + the password just set). */
export type AuthMethod = 'password' | 'invitation' | 'totp' | 'sso' | 'passkey';

/**
 * Opens a session for a user who has just proved who they are, with its first refresh token (returned
 * once, stored only hashed). Every sign-in pathway ends here.
 */
export async function openSession(
  trx: Tx,
  s: {
    orgId: string;
    userId: string;
    method: AuthMethod;
    policy: SessionPolicy;
    meta: RequestMeta;
    now: Date;
  },
): Promise<{ session: SessionRow; refreshToken: string }> {
  const { idle, absolute } = newSessionExpiries(s.policy, s.now);
  // One statement for the session and its first refresh token (the id is chosen here so the token can name
  // it): each round trip of a sign-in is CPU on the core that also hashes passwords. The token's foreign key
  // is checked at the end of the statement, when the session row exists.
  const id = randomUUID();
  const refreshToken = newSecretToken();
  const session = await trx
    .with('opened', (db) =>
      db
        .insertInto('sessions')
        .values({
          id,
          org_id: s.orgId,
          user_id: s.userId,
          auth_method: s.method,
          created_at: s.now,
          last_seen_at: s.now,
          idle_expires_at: idle,
          absolute_expires_at: absolute,
          ip: s.meta.ip?.slice(0, 64) ?? null,
          user_agent: s.meta.userAgent?.slice(0, 512) ?? null,
        })
        .returningAll(),
    )
    .with('first_token', (db) =>
      db.insertInto('refresh_tokens').values({
        token_hash: hashSecretToken('refresh', refreshToken),
        session_id: id,
        org_id: s.orgId,
        created_at: s.now,
      }),
    )
    .selectFrom('opened')
    .selectAll()
    .executeTakeFirstOrThrow();
  return { session, refreshToken };
}

/** A new refresh token in the session's family. */
export async function addRefreshToken(
  trx: Tx,
  session: { id: string; org_id: string },
  now: Date,
): Promise<string> {
  const token = newSecretToken();
  await trx
    .insertInto('refresh_tokens')
    .values({
      token_hash: hashSecretToken('refresh', token),
      session_id: session.id,
      org_id: session.org_id,
      created_at: now,
    })
    .execute();
  return token;
}
