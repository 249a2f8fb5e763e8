import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { storeChallenge } from './passkey-challenges.js';
import { passkeyRules, relyingPartyOf, userHandleOf } from './relying-party.js';

/**
 * The signed-in user starts adding a passkey: creation options for `navigator.credentials.create` (through
 * @simplewebauthn/browser's startRegistration), with the user's existing passkeys excluded so one
 * authenticator is not registered twice. The challenge is bound to this session and lives 5 minutes.
 */
export async function beginPasskeyRegistration(
  ctx: CommandContext,
): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; expiresAt: Date }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const now = ctx.clock.now();
  const user = await ctx.db
    .selectFrom('users as u')
    .innerJoin('organizations as o', 'o.id', 'u.org_id')
    .select(['u.id', 'u.email', 'u.display_name', 'u.status', 'o.name as org_name'])
    .where('u.org_id', '=', actor.orgId)
    .where('u.id', '=', actor.userId)
    .executeTakeFirst();
  if (!user || user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
  const existing = await ctx.db
    .selectFrom('passkeys')
    .select(['credential_id', 'transports'])
    .where('org_id', '=', actor.orgId)
    .where('user_id', '=', actor.userId)
    .execute();
  if (existing.length >= passkeyRules.maxPasskeysPerUser) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `You have ${passkeyRules.maxPasskeysPerUser} passkeys, the most an account may have: remove one first.`,
    );
  }
  const rp = relyingPartyOf(ctx.config);
  const options = await generateRegistrationOptions({
    rpName: user.org_name,
    rpID: rp.rpID,
    userName: user.email,
    userID: userHandleOf(user.id),
    userDisplayName: user.display_name.trim() || user.email,
    timeout: passkeyRules.challengeTtlMs,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({
      id: p.credential_id,
      transports: p.transports,
    })),
    authenticatorSelection: {
      residentKey: passkeyRules.residentKey,
      requireResidentKey: true,
      userVerification: passkeyRules.userVerification,
    },
  });
  const expiresAt = await storeChallenge(
    ctx.db,
    options.challenge,
    { purpose: 'registration', orgId: actor.orgId, userId: actor.userId, sessionId: actor.sessionId },
    now,
  );
  return { options, expiresAt };
}
