import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Permission } from '../../authz/permissions.js';
import type { RoleKey } from '../../authz/roles.js';
import type { Clock } from './clock.js';
import type { RevocationRegistry } from '../sessions/revocation-registry.js';

/** Long-lived dependencies every command may use. Built once at start-up (or per test). */
export interface Services {
  db: Kysely<DB>;
  clock: Clock;
  config: Config;
  revocations: RevocationRegistry;
  logger: Logger;
}

/**
 * Who is acting. Users act through a session; the system acts for scheduled work and the CLI; a SCIM
 * token of the organisation acts as itself (`api_credential`, its permissions come from its scopes and
 * its reach over users stops at `maxRole`); a personal API token acts for its owner (`personal_token`)
 * with the owner's CURRENT role narrowed to the token's permissions, and is no session: it cannot prove
 * who is behind it (step-up), nor change its owner's password or factors, nor issue credentials.
 */
export type Actor =
  | { type: 'user'; userId: string; orgId: string; role: RoleKey; sessionId: string }
  | { type: 'system'; orgId: string; name: string }
  | {
      type: 'api_credential';
      credentialId: string;
      orgId: string;
      scopes: readonly string[];
      maxRole: RoleKey;
      permissions: ReadonlySet<Permission>;
    }
  | {
      type: 'personal_token';
      tokenId: string;
      userId: string;
      orgId: string;
      role: RoleKey;
      /** The token's own limit (null: the owner's role), intersected with the role on every check. */
      permissions: ReadonlySet<Permission> | null;
    };

/** Where a request came from, recorded on audit events. */
export interface RequestMeta {
  requestId?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface CommandContext extends Services {
  actor: Actor;
  meta: RequestMeta;
}

/** The person behind the actor: a signed-in user or the owner of a personal token. */
export function actorUserId(actor: Actor): string | null {
  return actor.type === 'user' || actor.type === 'personal_token' ? actor.userId : null;
}
