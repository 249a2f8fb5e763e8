import { personalTokenPermissions } from '../../authz/actor-permissions.js';
import { isPermission, type Permission } from '../../authz/permissions.js';
import { isRoleKey } from '../../authz/roles.js';
import { DomainError } from '../errors.js';
import { mfaRequirementFor } from '../mfa/enrolment-restriction.js';
import { mfaPolicyOf } from '../mfa/mfa-policy.js';
import type { Actor, RequestMeta, Services } from '../shared/context.js';
import { credentialServices } from './credential-services.js';
import { isCredentialLive } from './credential-rules.js';
import { parseCredentialToken, secretMatches } from './credential-secret.js';
import { personalTokenRateLimit } from './token-rate-limit.js';

export type PersonalTokenActor = Extract<Actor, { type: 'personal_token' }>;

/** Whether a bearer value is shaped like a personal token (the GraphQL edge picks its path by it). */
export function looksLikePersonalToken(token: string): boolean {
  return token.startsWith('rst_pat_');
}

/**
 * A personal API token as its owner's actor. Nothing is cached: every use reads the token joined with
 * its owner by primary key (about one index look-up), so a revocation, a suspension, a deactivation or a
 * role that lost `api:access` stops the token on its very next request, on every instance, without the
 * session revocation registry (which exists because verified access tokens ARE cached). The actor
 * carries the owner's current role; `actorPermissions` intersects it with the token's list on each check.
 * Unknown, wrong, expired, revoked and dead-owner tokens answer API_TOKEN_INVALID alike; an owner on whom
 * the organisation's second-factor policy is enforced gets MFA_ENROLMENT_REQUIRED (one more query, only
 * when the policy covers their role).
 */
export async function authenticatePersonalToken(
  services: Services,
  presented: string,
  meta: RequestMeta,
): Promise<PersonalTokenActor> {
  const parsed = parseCredentialToken(presented);
  if (!parsed || parsed.kind !== 'pat') throw new DomainError('API_TOKEN_INVALID');
  const row = await services.db
    .selectFrom('personal_api_tokens as t')
    .innerJoin('users as u', (j) => j.onRef('u.id', '=', 't.user_id').onRef('u.org_id', '=', 't.org_id'))
    .innerJoin('organizations as o', 'o.id', 't.org_id')
    .select([
      't.id',
      't.org_id',
      't.user_id',
      't.secret_hash',
      't.permissions',
      't.expires_at',
      't.revoked_at',
      'u.status',
      'u.role',
      'u.activated_at',
      'o.settings',
    ])
    .where('t.id', '=', parsed.id)
    .executeTakeFirst();
  const matches = await secretMatches(services.config, parsed, row?.secret_hash);
  if (
    !row ||
    !matches ||
    !isCredentialLive(row, services.clock.now()) ||
    row.status !== 'active' ||
    !isRoleKey(row.role) ||
    personalTokenPermissions(row.role, null).size === 0
  ) {
    throw new DomainError('API_TOKEN_INVALID');
  }
  // The organisation's second-factor policy binds tokens as it binds sessions: once it is enforced on the
  // owner (required, none enrolled, grace period over), their tokens stop until they enrol one.
  const policy = mfaPolicyOf(row.settings);
  if (policy.requiredRoles.has(row.role)) {
    const requirement = await mfaRequirementFor(services.db, {
      policy,
      orgId: row.org_id,
      userId: row.user_id,
      role: row.role,
      activatedAt: row.activated_at,
      now: services.clock.now(),
    });
    if (requirement.enforced) throw new DomainError('MFA_ENROLMENT_REQUIRED');
  }
  const cs = credentialServices(services);
  const decision = cs.limiter.take(`pat:${row.id}`, personalTokenRateLimit);
  if (!decision.ok) {
    throw new DomainError('RATE_LIMITED', undefined, { retryAfterSeconds: decision.retryAfterSeconds });
  }
  cs.usage.note('personal_api_tokens', row.id, meta.ip);
  const permissions =
    row.permissions === null ? null : new Set(row.permissions.filter(isPermission) as Permission[]);
  return Object.freeze({
    type: 'personal_token',
    tokenId: row.id,
    userId: row.user_id,
    orgId: row.org_id,
    role: row.role,
    permissions,
  });
}
