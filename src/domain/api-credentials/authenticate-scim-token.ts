import { isRoleKey } from '../../authz/roles.js';
import { DomainError } from '../errors.js';
import type { Actor, RequestMeta, Services } from '../shared/context.js';
import { credentialServices } from './credential-services.js';
import { isCredentialLive, permissionsOfScopes } from './credential-rules.js';
import { parseCredentialToken, secretMatches } from './credential-secret.js';
import { scimRateLimit } from './token-rate-limit.js';

export type ScimActor = Extract<Actor, { type: 'api_credential' }>;

const bearerPattern = /^Bearer +(\S{1,200})$/i;

/**
 * Turns a SCIM request's `Authorization: Bearer rst_scim_…` into the token's own actor, on every request:
 * one primary-key read (revocation, expiry and a rotation take effect on the very next request), the
 * secret's HMAC compared in constant time. Unknown, wrong, expired and revoked tokens all answer
 * API_TOKEN_INVALID, the same way. Then the token's rate limit (RATE_LIMITED with `retryAfterSeconds`,
 * for a 429 with Retry-After), and its last use is noted (at most one write a minute).
 */
export async function authenticateScimToken(
  services: Services,
  authorization: string | undefined,
  meta: RequestMeta,
): Promise<ScimActor> {
  const presented = authorization ? bearerPattern.exec(authorization)?.[1] : undefined;
  const parsed = presented ? parseCredentialToken(presented) : null;
  if (!parsed || parsed.kind !== 'scim') throw new DomainError('API_TOKEN_INVALID');
  const row = await services.db
    .selectFrom('scim_tokens')
    .select(['id', 'org_id', 'secret_hash', 'scopes', 'max_role', 'expires_at', 'revoked_at'])
    .where('id', '=', parsed.id)
    .executeTakeFirst();
  const matches = await secretMatches(services.config, parsed, row?.secret_hash);
  if (!row || !matches || !isCredentialLive(row, services.clock.now()) || !isRoleKey(row.max_role)) {
    throw new DomainError('API_TOKEN_INVALID');
  }
  const cs = credentialServices(services);
  chargeScim(services, row.id);
  cs.usage.note('scim_tokens', row.id, meta.ip);
  return Object.freeze({
    type: 'api_credential',
    credentialId: row.id,
    orgId: row.org_id,
    scopes: Object.freeze([...row.scopes]),
    maxRole: row.max_role,
    permissions: permissionsOfScopes(row.scopes),
  });
}

/**
 * One more request of a SCIM token against its rate limit: each operation of a /Bulk request counts as
 * the request it stands for (RATE_LIMITED, with `retryAfterSeconds`, when the bucket is empty).
 */
export function chargeScimToken(services: Services, actor: Actor): void {
  if (actor.type !== 'api_credential') return;
  chargeScim(services, actor.credentialId);
}

function chargeScim(services: Services, credentialId: string): void {
  const decision = credentialServices(services).limiter.take(`scim:${credentialId}`, scimRateLimit);
  if (!decision.ok) {
    throw new DomainError('RATE_LIMITED', undefined, { retryAfterSeconds: decision.retryAfterSeconds });
  }
}
