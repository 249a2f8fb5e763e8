import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { DomainError } from '../errors.js';
import { storeChallenge } from '../passkeys/passkey-challenges.js';
import { requestOptionsForUser } from '../passkeys/request-options-for-user.js';
import type { CommandContext } from '../shared/context.js';

/**
 * Step-up with a passkey, first half: request options for the signed-in person's own passkeys, with a
 * challenge bound to this session and user (purpose `reauthentication`), 5 minutes, used once by
 * `reauthenticate` (`passkeyAssertion`); a newer one replaces the earlier, so a session holds at most one.
 * No passkey: MFA_METHOD_NOT_AVAILABLE.
 */
export async function beginReauthenticationPasskey(
  ctx: CommandContext,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; expiresAt: Date }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const user = { orgId: actor.orgId, userId: actor.userId };
  const options = await requestOptionsForUser(ctx.db, ctx.config, user);
  if (!options) throw new DomainError('MFA_METHOD_NOT_AVAILABLE');
  const expiresAt = await storeChallenge(
    ctx.db,
    options.challenge,
    { purpose: 'reauthentication', ...user, sessionId: actor.sessionId },
    ctx.clock.now(),
  );
  return { options, expiresAt };
}
