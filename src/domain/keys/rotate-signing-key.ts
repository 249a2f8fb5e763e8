import type { Services } from '../shared/context.js';
import { sessionServices } from '../sessions/session-services.js';
import { createSigningKey, keysToRetire } from './signing-keys.js';

export interface KeyListing {
  kid: string;
  alg: string;
  createdAt: Date;
  retiredAt: Date | null;
}

/**
 * Makes a new active signing key (new tokens use it at once here, within a minute on other instances). The
 * previous keys stay published for verification until every token they signed has expired; keys superseded
 * longer ago than that are retired now. An operator's act (CLI): keys belong to no organisation, so it is
 * not an organisation's audit event.
 */
export async function rotateSigningKey(services: Services): Promise<{ kid: string; retired: string[] }> {
  const kid = await createSigningKey(services, false);
  if (!kid) throw new Error('no key was created');
  const now = services.clock.now();
  const live = await services.db
    .selectFrom('signing_keys')
    .select(['kid', 'created_at'])
    .where('retired_at', 'is', null)
    .execute();
  const retired = keysToRetire(
    live.map((k) => ({ kid: k.kid, createdAt: k.created_at })),
    now,
    services.config.accessTokenTtlSeconds,
  );
  if (retired.length > 0) {
    await services.db
      .updateTable('signing_keys')
      .set({ retired_at: now })
      .where('kid', 'in', retired)
      .execute();
  }
  sessionServices(services).keys.invalidate();
  return { kid, retired };
}

export async function listSigningKeys(services: Services): Promise<KeyListing[]> {
  const rows = await services.db
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'created_at', 'retired_at'])
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ kid: r.kid, alg: r.alg, createdAt: r.created_at, retiredAt: r.retired_at }));
}
