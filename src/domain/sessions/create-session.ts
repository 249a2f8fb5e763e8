import { randomUUID } from 'node:crypto';
import type { SessionRow } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import type { RequestMeta } from '../shared/context.js';
import { hashSecretToken, newSecretToken } from '../shared/secret-token.js';
import { newSessionExpiries, type SessionPolicy } from './session-policy.js';

/** How the session was opened; 'invitation': by accepting an invitation (token + the password just set). */
export type AuthMethod =
  | 'password'
  | 'invitation'
  | 'totp'
  | 'sso'
  | 'passkey'
  /** The password and a recovery code (the second step's fallback; domain/mfa/complete-mfa-sign-in.ts). */
  | 'recovery_code'
  /** The password and a passkey as the second step (domain/mfa/complete-mfa-sign-in.ts). */
  | 'password_passkey';

/** NIST SP 800-63B authenticator assurance levels a session can reach. */
export type AssuranceLevel = 'aal1' | 'aal2' | 'aal3';

/**
 * How the person proved who they are, recorded on the session and carried in its access tokens as OIDC's
 * `amr` (RFC 8176 values: 'pwd' password, 'otp' one-time code, 'hwk'/'swk' hardware/software-bound key,
 * 'user' user verification, 'mfa' several factors) and `acr` (the assurance level).
 */
export interface SessionAuthentication {
  amr: string[];
  acr: AssuranceLevel;
}

/**
 * A session limited to one purpose: 'mfa_enrolment' may enrol a second factor and sign out, nothing else
 * (the organisation requires a factor of this person and their grace period is over).
 */
export type SessionRestriction = 'mfa_enrolment';

/** What a single-method sign-in proves, when the caller does not say more. */
export function defaultAuthentication(method: AuthMethod): SessionAuthentication {
  switch (method) {
    case 'totp':
      return { amr: ['pwd', 'otp', 'mfa'], acr: 'aal2' };
    case 'passkey':
      return { amr: ['hwk', 'user'], acr: 'aal2' };
    case 'sso':
      return { amr: ['fed'], acr: 'aal1' };
    default:
      return { amr: ['pwd'], acr: 'aal1' };
  }
}

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
    /** Defaults to what the method alone proves (`defaultAuthentication`). */
    authentication?: SessionAuthentication;
    policy: SessionPolicy;
    restriction?: SessionRestriction | null;
    meta: RequestMeta;
    now: Date;
  },
): Promise<{ session: SessionRow; refreshToken: string }> {
  const { idle, absolute } = newSessionExpiries(s.policy, s.now);
  const authentication = s.authentication ?? defaultAuthentication(s.method);
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
          amr: authentication.amr,
          acr: authentication.acr,
          auth_time: s.now,
          restriction: s.restriction ?? null,
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
