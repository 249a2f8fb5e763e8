import { z } from 'zod';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import { withTransaction, type TransactionScope } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { hashSecretToken } from '../shared/secret-token.js';
import { issueAccessToken, sessionRestrictionOf, type TokenAuthentication } from './access-token.js';
import { addRefreshToken } from './create-session.js';
import { revokeSessions } from './revoke-sessions.js';
import { cappedAbsolute, extendedIdle, sessionIsLive, sessionPolicyOf } from './session-policy.js';
import type { SessionRestriction } from './create-session.js';
import type { SignedIn } from './sign-in.js';

export const refreshSessionInput = z.object({ refreshToken: z.string().min(1).max(256) }).strict();

type Outcome =
  | { kind: 'invalid' }
  | {
      kind: 'ok';
      user: UserRow;
      role: RoleKey;
      sessionId: string;
      absolute: Date;
      authentication: TokenAuthentication;
      restriction: SessionRestriction | null;
      refreshToken: string;
    };

/**
 * Exchanges a refresh token for a new access token and a new refresh token. Each refresh token works once:
 * it is spent by a conditional update (`used_at is null`), so of two concurrent refreshes exactly one wins.
 * Presenting a spent token — a replay, or the loser of such a race — ends the whole session (RFC 9700
 * 4.14.2): whoever holds the family's newest token loses it too, which is the point when one was stolen.
 * There is no actor to authorize: the refresh token is the credential.
 */
export async function refreshSession(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof refreshSessionInput>,
): Promise<SignedIn> {
  const input = parseInput(refreshSessionInput, raw);
  const now = services.clock.now();
  const hash = hashSecretToken('refresh', input.refreshToken);
  const outcome = await withTransaction(services.db, async (scope): Promise<Outcome> => {
    const { trx } = scope;
    const spent = await trx
      .updateTable('refresh_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', hash)
      .where('used_at', 'is', null)
      .returning(['session_id', 'org_id'])
      .executeTakeFirst();
    if (!spent) {
      await endFamilyOnReuse(scope, services, meta, hash, now);
      return { kind: 'invalid' };
    }
    const session = await trx
      .selectFrom('sessions')
      .selectAll()
      .where('org_id', '=', spent.org_id)
      .where('id', '=', spent.session_id)
      .forUpdate()
      .executeTakeFirst();
    if (!session || !sessionIsLive(session, now)) return { kind: 'invalid' };
    const user = await trx
      .selectFrom('users')
      .innerJoin('organizations', 'organizations.id', 'users.org_id')
      .selectAll('users')
      .select('organizations.settings as org_settings')
      .where('users.org_id', '=', session.org_id)
      .where('users.id', '=', session.user_id)
      .executeTakeFirst();
    const role = user?.role;
    if (!user || user.status !== 'active' || !role || !isRoleKey(role)) return { kind: 'invalid' };
    // The policy of the role the person holds now: one moved into a privileged role since signing in
    // gets its shorter lifetimes from this refresh on (the absolute one counted from the sign-in).
    const policy = sessionPolicyOf(user.org_settings, role);
    const absolute = cappedAbsolute(policy, session.created_at, session.absolute_expires_at);
    if (absolute.getTime() <= now.getTime()) return { kind: 'invalid' };
    const idle = extendedIdle(policy, now, absolute);
    await trx
      .updateTable('sessions')
      .set({ idle_expires_at: idle, absolute_expires_at: absolute, last_seen_at: now })
      .where('id', '=', session.id)
      .execute();
    const refreshToken = await addRefreshToken(trx, session, now);
    const { org_settings: _settings, ...userRow } = user;
    return {
      kind: 'ok',
      user: userRow,
      role,
      sessionId: session.id,
      absolute,
      authentication: { amr: session.amr, acr: session.acr, authTime: session.auth_time },
      restriction: sessionRestrictionOf(session.restriction),
      refreshToken,
    };
  });
  if (outcome.kind !== 'ok') throw new DomainError('SESSION_INVALID');
  const { accessToken, expiresAt } = await issueAccessToken(services, {
    userId: outcome.user.id,
    orgId: outcome.user.org_id,
    role: outcome.role,
    sessionId: outcome.sessionId,
    notAfter: outcome.absolute,
    authentication: outcome.authentication,
  });
  return {
    accessToken,
    refreshToken: outcome.refreshToken,
    expiresAt,
    sessionId: outcome.sessionId,
    user: outcome.user,
    restriction: outcome.restriction,
  };
}

/** A spent token came back: revoke its session (every token of the family) and audit it. */
async function endFamilyOnReuse(
  scope: TransactionScope,
  services: Services,
  meta: RequestMeta,
  hash: string,
  now: Date,
): Promise<void> {
  const known = await scope.trx
    .selectFrom('refresh_tokens')
    .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
    .select(['sessions.id', 'sessions.org_id', 'sessions.user_id', 'sessions.revoked_at'])
    .where('refresh_tokens.token_hash', '=', hash)
    .executeTakeFirst();
  if (!known || known.revoked_at !== null) return;
  const target = { orgId: known.org_id, userId: known.user_id, sessionId: known.id };
  const ids = await revokeSessions(scope, services.revocations, target, 'session.refresh_token_reused', now);
  if (ids.length === 0) return;
  await recordAuditEvent(
    scope.trx,
    known.org_id,
    { actor: { type: 'system', orgId: known.org_id, name: 'refresh' }, meta, now },
    {
      action: 'session.refresh_token_reused',
      targetType: 'user',
      targetId: known.user_id,
      changes: { sessionId: known.id },
      reason: 'A refresh token was presented after it had been used; the session was ended.',
    },
  );
}
