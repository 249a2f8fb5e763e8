import type { Kysely } from 'kysely';
import type { DB, MfaFactorsTable } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import type { Selectable } from 'kysely';

export type MfaFactorRow = Selectable<MfaFactorsTable>;

/**
 * The ways a person can pass the sign-in's second step. The seam for more kinds: passkeys (WebAuthn) add
 * 'WEBAUTHN' here when the user has a registered credential, and a branch in complete-mfa-sign-in.ts.
 */
export type SecondFactorMethod = 'TOTP' | 'RECOVERY_CODE';

/**
 * What the person has enrolled that the second step accepts: a confirmed authenticator app, and then also
 * their unused recovery codes. Recovery codes alone never make sign-in two-step (they back a factor up).
 * Empty: the password alone signs in.
 */
export async function secondFactorMethodsOf(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
): Promise<SecondFactorMethod[]> {
  const r = await db
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom('mfa_factors')
            .select('id')
            .where('org_id', '=', user.org_id)
            .where('user_id', '=', user.id)
            .where('kind', '=', 'totp')
            .where('confirmed_at', 'is not', null),
        )
        .as('totp'),
      eb
        .exists(
          eb
            .selectFrom('mfa_recovery_codes')
            .select('id')
            .where('org_id', '=', user.org_id)
            .where('user_id', '=', user.id)
            .where('used_at', 'is', null),
        )
        .as('recovery'),
    ])
    .executeTakeFirstOrThrow();
  if (!r.totp) return [];
  return r.recovery ? ['TOTP', 'RECOVERY_CODE'] : ['TOTP'];
}

/** Whether the person has a confirmed second factor (the password policy then allows 8 characters). */
export async function hasConfirmedFactor(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
): Promise<boolean> {
  return (await secondFactorMethodsOf(db, user)).length > 0;
}

export async function confirmedTotpFactorOf(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
): Promise<MfaFactorRow | undefined> {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('org_id', '=', user.org_id)
    .where('user_id', '=', user.id)
    .where('kind', '=', 'totp')
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
}

/** A person's confirmed factors, for their own security page and an administrator's view. */
export async function listFactors(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
): Promise<MfaFactorRow[]> {
  return db
    .selectFrom('mfa_factors')
    .selectAll()
    .where('org_id', '=', user.org_id)
    .where('user_id', '=', user.id)
    .where('confirmed_at', 'is not', null)
    .orderBy('created_at')
    .execute();
}

export async function recoveryCodesRemaining(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
): Promise<number> {
  const r = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', user.org_id)
    .where('user_id', '=', user.id)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
