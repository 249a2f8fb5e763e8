import type { Actor, Services } from '../../domain/shared/context.js';

export interface Authentication {
  actor: Actor | null;
  /** A safe sentence saying why a presented token was not accepted. */
  failure: string | null;
}

/**
 * Turns the Authorization header into an actor: verify the access token, then check its session against
 * the in-memory revocation registry. (Token verification lands with the sessions work.)
 */
export async function authenticate(_services: Services, header: string | undefined): Promise<Authentication> {
  if (!header) return { actor: null, failure: null };
  return { actor: null, failure: 'The access token is not valid.' };
}
