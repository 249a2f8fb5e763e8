import {
  authenticatePersonalToken,
  looksLikePersonalToken,
} from '../../domain/api-credentials/authenticate-personal-token.js';
import { isDomainError } from '../../domain/errors.js';
import type { Actor, Services } from '../../domain/shared/context.js';
import { sessionServices } from '../../domain/sessions/session-services.js';

export interface Authentication {
  /** Null for an anonymous request, and for a restricted session: it is nobody to every other operation. */
  actor: Actor | null;
  /** A safe sentence saying why a presented token was not accepted. */
  failure: string | null;
  /**
   * The person of an enrolment-only session (the organisation requires a second factor, their grace period
   * is over): only the enrolment operations accept them (GraphQL `enrolmentContext`); `actor` stays null,
   * so everything else refuses them without knowing about restrictions.
   */
  enrolling: Actor | null;
  /** A personal token over its rate limit: every operation answers RATE_LIMITED (and Retry-After). */
  rateLimited?: { retryAfterSeconds: number };
}

const anonymous: Authentication = Object.freeze({ actor: null, failure: null, enrolling: null });
const invalid: Authentication = Object.freeze({
  actor: null,
  failure: 'The access token is not valid.',
  enrolling: null,
});
const expired: Authentication = Object.freeze({
  actor: null,
  failure: 'The access token has expired. Refresh the session or sign in again.',
  enrolling: null,
});
const ended: Authentication = Object.freeze({
  actor: null,
  failure: 'The session has ended. Sign in again.',
  enrolling: null,
});
export const enrolmentRequiredFailure =
  'Your organisation requires a second factor: set one up (authenticator app or passkey) to continue.';

const bearer = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;
const personalBearer = /^Bearer +(rst_pat_[A-Za-z0-9_-]{1,200})$/i;
const tokenInvalid: Authentication = Object.freeze({
  actor: null,
  failure: 'The API token is not valid: it is unknown, expired or revoked.',
  enrolling: null,
});

/**
 * Turns the Authorization header into an actor: verify the access token (cached after its first check),
 * then check its session against the in-memory revocation registry — on every request, so a revoked
 * session is refused on its very next request whatever the token's expiry.
 */
export async function authenticate(
  services: Services,
  header: string | undefined,
  ip?: string,
): Promise<Authentication> {
  if (!header) return anonymous;
  const personal = personalBearer.exec(header)?.[1];
  if (personal && looksLikePersonalToken(personal)) return authenticatePersonal(services, personal, ip);
  const token = bearer.exec(header)?.[1];
  if (!token || token.length > 4096) return invalid;
  const s = sessionServices(services);
  const r = await s.verifier.verify(token);
  if (!r.ok) return r.reason === 'expired' ? expired : invalid;
  const actor = r.actor;
  if (services.revocations.isRevoked(actor.sessionId)) return ended;
  s.activity.note(actor.sessionId, actor.userId, actor.orgId);
  if (r.restriction === 'mfa_enrolment') {
    return { actor: null, failure: enrolmentRequiredFailure, enrolling: actor };
  }
  return { actor, failure: null, enrolling: null };
}

/**
 * A personal API token in place of an access token: its owner's actor, narrowed (actor-permissions.ts),
 * checked against the database on every request (authenticate-personal-token.ts). A SCIM token is not
 * accepted here (its own endpoint authenticates it).
 */
async function authenticatePersonal(services: Services, token: string, ip?: string): Promise<Authentication> {
  try {
    const actor = await authenticatePersonalToken(services, token, { ip });
    return { actor, failure: null, enrolling: null };
  } catch (err) {
    if (isDomainError(err) && err.code === 'RATE_LIMITED') {
      const retryAfterSeconds = Number(err.details?.retryAfterSeconds ?? 1);
      return { actor: null, failure: err.message, enrolling: null, rateLimited: { retryAfterSeconds } };
    }
    if (isDomainError(err) && err.code === 'API_TOKEN_INVALID') return tokenInvalid;
    // A token cannot enrol a factor: it is simply refused, saying why.
    if (isDomainError(err) && err.code === 'MFA_ENROLMENT_REQUIRED') {
      return { actor: null, failure: enrolmentRequiredFailure, enrolling: null };
    }
    throw err;
  }
}
