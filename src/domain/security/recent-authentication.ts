import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isAuthenticationRecent, reauthenticationWindowOf } from './step-up-settings.js';

/**
 * Step-up: a sensitive action (a move into or out of a privileged role, a deactivation, a change of the
 * security settings, the audit export, ...) needs the acting session to have proved who is behind it
 * within the organisation's `reauthenticationWindowMinutes`. It reads the session's `auth_time` from the
 * database, not the token: `reauthenticate` moves it without a new session, so the token in hand may
 * carry an older one. Call it after the authorization checks, so a refusal tells no more than FORBIDDEN
 * would; inside a transaction pass its handle (`db`), the only one it may use.
 *
 * System actors are exempt: the CLI is run by an operator who already holds the server's shell and its
 * database credentials (no session to re-prove), and scheduled work acts for nobody. A SCIM token is
 * exempt too (an identity provider deprovisions unattended; issuing the token was the stepped-up act);
 * a personal API token is refused (SESSION_REQUIRED).
 */
export async function requireRecentAuthentication(
  ctx: CommandContext,
  db: Kysely<DB> = ctx.db,
): Promise<void> {
  const actor = ctx.actor;
  // A personal API token proves nobody is behind it now: it never passes step-up.
  if (actor.type === 'personal_token') throw new DomainError('SESSION_REQUIRED');
  if (actor.type !== 'user') return;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('organizations', 'organizations.id', 'sessions.org_id')
    .select(['sessions.auth_time', 'organizations.settings'])
    .where('sessions.id', '=', actor.sessionId)
    .where('sessions.org_id', '=', actor.orgId)
    .where('sessions.user_id', '=', actor.userId)
    .executeTakeFirst();
  if (!row) throw new DomainError('SESSION_INVALID');
  const window = reauthenticationWindowOf(row.settings);
  if (!isAuthenticationRecent(row.auth_time, ctx.clock.now(), window)) {
    throw new DomainError('REAUTHENTICATION_REQUIRED', undefined, {
      maxAgeSeconds: window * 60,
      authenticatedAt: row.auth_time.toISOString(),
    });
  }
}
