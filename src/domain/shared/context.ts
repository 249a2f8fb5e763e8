import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
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

/** Who is acting. Users act through a session; the system acts for scheduled work and the CLI. */
export type Actor =
  | { type: 'user'; userId: string; orgId: string; role: RoleKey; sessionId: string }
  | { type: 'system'; orgId: string; name: string };

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

export function actorUserId(actor: Actor): string | null {
  return actor.type === 'user' ? actor.userId : null;
}
