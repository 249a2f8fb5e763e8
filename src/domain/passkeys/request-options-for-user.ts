import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { passkeyRules, relyingPartyOf } from './relying-party.js';

/**
 * Request options for `navigator.credentials.get` when the person is already known (the second step of a
 * password sign-in, a step-up): `allowCredentials` lists their own passkeys, so the browser offers only
 * those, and user verification is required as everywhere else (passkeyRules). Null when they have none.
 * The caller stores the challenge with its binding (passkey-challenges.ts).
 */
export async function requestOptionsForUser(
  db: Kysely<DB> | Tx,
  config: Pick<Config, 'publicUrl'>,
  user: { orgId: string; userId: string },
): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const passkeys = await db
    .selectFrom('passkeys')
    .select(['credential_id', 'transports'])
    .where('org_id', '=', user.orgId)
    .where('user_id', '=', user.userId)
    .orderBy('created_at')
    .limit(passkeyRules.maxPasskeysPerUser)
    .execute();
  if (passkeys.length === 0) return null;
  return generateAuthenticationOptions({
    rpID: relyingPartyOf(config).rpID,
    allowCredentials: passkeys.map((p) => ({ id: p.credential_id, transports: p.transports as never })),
    userVerification: passkeyRules.userVerification,
    timeout: passkeyRules.challengeTtlMs,
  });
}
