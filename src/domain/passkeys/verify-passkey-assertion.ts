import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { DB, PasskeyRow } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { passkeyRules, signCounterAcceptable, userHandleOf, type RelyingParty } from './relying-party.js';

export type PasskeyAssertionResult =
  | { ok: true; passkey: PasskeyRow; userVerified: boolean }
  | {
      ok: false;
      reason:
        'unknown_credential' | 'user_handle_mismatch' | 'invalid' | 'counter_regressed' | 'used_concurrently';
      /** The passkey the response named, when it is one of ours (and the caller's org/user). */
      passkey?: PasskeyRow;
    };

/**
 * Checks a WebAuthn assertion (the response of `navigator.credentials.get`) for a challenge the caller has
 * ALREADY consumed (passkey-challenges.ts): the credential must be a passkey of `orgId` (and of `userId`
 * when given — a second factor after a password; passwordless sign-in gives none and the user handle must
 * then name the passkey's owner); @simplewebauthn/server verifies signature, challenge, origin, RP ID, user
 * presence and (unless told otherwise) user verification; the sign counter must grow (`signCounterAcceptable`)
 * and is written with a compare-and-set, so two uses of one counter value cannot both pass. Writes the
 * counter, backed-up flag and last use; nothing else. Pure of authorization, sessions and audit: sign-in
 * (passwordless, or as a second step in completeSignIn) decides what a result means.
 */
export async function verifyPasskeyAssertion(
  trx: Kysely<DB> | Tx,
  a: {
    orgId: string;
    userId?: string | null;
    response: AuthenticationResponseJSON;
    /** The challenge the response must answer (base64url, as the options gave it). */
    challenge: string;
    relyingParty: RelyingParty;
    now: Date;
    /** Defaults to true (passkeyRules.userVerification); a second factor after a password may relax it. */
    requireUserVerification?: boolean;
  },
): Promise<PasskeyAssertionResult> {
  let q = trx
    .selectFrom('passkeys')
    .selectAll()
    .where('credential_id', '=', a.response.id)
    .where('org_id', '=', a.orgId);
  if (a.userId) q = q.where('user_id', '=', a.userId);
  const passkey = await q.executeTakeFirst();
  if (!passkey) return { ok: false, reason: 'unknown_credential' };

  const handle = a.response.response.userHandle;
  const expectedHandle = Buffer.from(userHandleOf(passkey.user_id)).toString('base64url');
  if ((handle || !a.userId) && handle?.replace(/=+$/, '') !== expectedHandle) {
    return { ok: false, reason: 'user_handle_mismatch', passkey };
  }

  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response: a.response,
      expectedChallenge: a.challenge,
      expectedOrigin: a.relyingParty.origin,
      expectedRPID: a.relyingParty.rpID,
      // The counter rule is ours (below), so the library is given 0 and checks everything else.
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(Buffer.from(passkey.public_key, 'base64url')),
        counter: 0,
        transports: passkey.transports as never,
      },
      requireUserVerification: a.requireUserVerification ?? passkeyRules.userVerification === 'required',
    });
  } catch {
    return { ok: false, reason: 'invalid', passkey };
  }
  if (!verified.verified) return { ok: false, reason: 'invalid', passkey };
  const info = verified.authenticationInfo;
  if (!signCounterAcceptable(passkey.sign_count, info.newCounter)) {
    return { ok: false, reason: 'counter_regressed', passkey };
  }
  const updated = await trx
    .updateTable('passkeys')
    .set({
      sign_count: info.newCounter,
      backed_up: info.credentialBackedUp,
      device_type: info.credentialDeviceType,
      last_used_at: a.now,
    })
    .where('id', '=', passkey.id)
    .where('sign_count', '=', passkey.sign_count)
    .returningAll()
    .executeTakeFirst();
  // Another use of the same counter value got there first (a replayed or cloned assertion, or a race).
  if (!updated) {
    return { ok: false, reason: 'used_concurrently', passkey };
  }
  return { ok: true, passkey: updated, userVerified: info.userVerified };
}
