import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Services } from '../shared/context.js';
import { KeyRing } from '../keys/signing-keys.js';
import { AccessTokenVerifier } from './access-token.js';
import { SessionActivity } from './session-activity.js';

export interface SessionServices {
  keys: KeyRing;
  verifier: AccessTokenVerifier;
  activity: SessionActivity;
}

// One set per runtime (keyed by its database handle), so that each runtime — including two in one test
// process, standing for two instances — has its own caches, as separate processes would.
const byDatabase = new WeakMap<Kysely<DB>, SessionServices>();

/** The in-memory parts of sessions: key ring, verified-token cache, activity throttle. */
export function sessionServices(services: Services): SessionServices {
  let s = byDatabase.get(services.db);
  if (!s) {
    s = {
      keys: new KeyRing(services),
      verifier: new AccessTokenVerifier(services),
      activity: new SessionActivity(services),
    };
    byDatabase.set(services.db, s);
  }
  return s;
}
