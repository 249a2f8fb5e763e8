import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Services } from '../shared/context.js';
import { CredentialUsage } from './credential-usage.js';
import { TokenRateLimiter } from './token-rate-limit.js';

export interface CredentialServices {
  limiter: TokenRateLimiter;
  usage: CredentialUsage;
}

// One set per runtime (keyed by its database handle), as sessionServices does.
const byDatabase = new WeakMap<Kysely<DB>, CredentialServices>();

/** The in-memory parts of API credentials: the per-token rate limit and the last-use throttle. */
export function credentialServices(services: Services): CredentialServices {
  let s = byDatabase.get(services.db);
  if (!s) {
    s = { limiter: new TokenRateLimiter(services.clock), usage: new CredentialUsage(services) };
    byDatabase.set(services.db, s);
  }
  return s;
}
