import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { z } from 'zod';
import type { PasskeyRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { notify } from '../notifications/notify.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { liftEnrolmentRestrictionOf } from '../mfa/enrolment-restriction.js';
import { lockUser } from '../users/user-record.js';
import { consumeChallenge } from './passkey-challenges.js';
import { passkeyName } from './passkey-name.js';
import { challengeOf, passkeyRules, registrationResponseSchema, relyingPartyOf } from './relying-party.js';

export const finishPasskeyRegistrationInput = z
  .object({
    name: passkeyName,
    response: registrationResponseSchema,
  })
  .strict();

/**
 * The signed-in user finishes adding a passkey: the response of `navigator.credentials.create` is checked
 * by @simplewebauthn/server against the challenge this session was given (used once), this installation's
 * RP ID and origin, with user verification required. Then, under the user's row lock: the passkey stored
 * (public key, counter, transports, device type, backed-up flag, AAGUID), `user.passkey_added` audited and
 * the person emailed (a passkey signs in on its own: someone else's would be a takeover).
 */
export async function finishPasskeyRegistration(
  ctx: CommandContext,
  raw: z.input<typeof finishPasskeyRegistrationInput>,
): Promise<PasskeyRow> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const input = parseInput(finishPasskeyRegistrationInput, raw);
  const now = ctx.clock.now();
  const challenge = challengeOf(input.response.response.clientDataJSON);
  if (!challenge) throw new DomainError('PASSKEY_VERIFICATION_FAILED');
  const live = await consumeChallenge(
    ctx.db,
    challenge,
    { purpose: 'registration', orgId: actor.orgId, userId: actor.userId, sessionId: actor.sessionId },
    now,
  );
  if (!live) throw new DomainError('PASSKEY_CHALLENGE_INVALID');

  const rp = relyingPartyOf(ctx.config);
  const verified = await verifyRegistrationResponse({
    response: input.response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpID,
    requireUserVerification: passkeyRules.userVerification === 'required',
  }).catch((err: unknown) => {
    ctx.logger.info({ err: String(err) }, 'passkey registration refused');
    return { verified: false as const };
  });
  if (!verified.verified) throw new DomainError('PASSKEY_VERIFICATION_FAILED');
  const info = verified.registrationInfo;

  return withTransaction(ctx.db, async (scope) => {
    const user = await lockUser(scope.trx, actor.orgId, actor.userId);
    if (user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
    const count = await scope.trx
      .selectFrom('passkeys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= passkeyRules.maxPasskeysPerUser) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `You have ${passkeyRules.maxPasskeysPerUser} passkeys, the most an account may have: remove one first.`,
      );
    }
    const passkey = await scope.trx
      .insertInto('passkeys')
      .values({
        org_id: user.org_id,
        user_id: user.id,
        credential_id: info.credential.id,
        public_key: Buffer.from(info.credential.publicKey).toString('base64url'),
        sign_count: info.credential.counter,
        transports: (info.credential.transports ?? input.response.response.transports ?? []).slice(0, 10),
        device_type: info.credentialDeviceType,
        backed_up: info.credentialBackedUp,
        name: input.name,
        aaguid: info.aaguid,
        created_at: now,
      })
      .onConflict((oc) => oc.column('credential_id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!passkey) throw new DomainError('PASSKEY_ALREADY_REGISTERED');
    await recordAuditEvent(
      scope.trx,
      user.org_id,
      { actor, meta: ctx.meta, now },
      {
        action: 'user.passkey_added',
        targetType: 'user',
        targetId: user.id,
        changes: {
          passkeyId: passkey.id,
          name: passkey.name,
          aaguid: passkey.aaguid,
          deviceType: passkey.device_type,
          backedUp: passkey.backed_up,
        },
      },
    );
    await notify(scope, ctx, {
      kind: 'passkey_changed',
      userId: user.id,
      passkeyId: passkey.id,
      name: passkey.name,
      how: 'added',
    });
    // An enrolment-only session of theirs becomes an ordinary one (a passkey satisfies every policy).
    await liftEnrolmentRestrictionOf(scope.trx, user, ctx.clock.now());
    return passkey;
  });
}
