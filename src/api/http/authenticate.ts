import type { Actor, Services } from '../../domain/shared/context.js';
import { sessionServices } from '../../domain/sessions/session-services.js';

export interface Authentication {
  actor: Actor | null;
  /** A safe sentence saying why a presented token was not accepted. */
  failure: string | null;
}

const anonymous: Authentication = Object.freeze({ actor: null, failure: null });
const invalid: Authentication = Object.freeze({ actor: null, failure: 'The access token is not valid.' });
const expired: Authentication = Object.freeze({
  actor: null,
  failure: 'The access token has expired. Refresh the session or sign in again.',
});
const ended: Authentication = Object.freeze({
  actor: null,
  failure: 'The session has ended. Sign in again.',
});

const bearer = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * Turns the Authorization header into an actor: verify the access token (cached after its first check),
 * then check its session against the in-memory revocation registry — on every request, so a revoked
 * session is refused on its very next request whatever the token's expiry.
 */
export async function authenticate(services: Services, header: string | undefined): Promise<Authentication> {
  if (!header) return anonymous;
  const token = bearer.exec(header)?.[1];
  if (!token || token.length > 4096) return invalid;
  const s = sessionServices(services);
  const r = await s.verifier.verify(token);
  if (!r.ok) return r.reason === 'expired' ? expired : invalid;
  const actor = r.actor;
  if (services.revocations.isRevoked(actor.sessionId)) return ended;
  s.activity.note(actor.sessionId, actor.userId, actor.orgId);
  return { actor, failure: null };
}
