import type { Kysely } from 'kysely';
import type { DB, MfaFactorsTable } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import type { Selectable } from 'kysely';
import { isRoleKey } from '../../authz/roles.js';
import { mfaPolicyOf } from './mfa-policy.js';

export type MfaFactorRow = Selectable<MfaFactorsTable>;

/** The ways a person can pass the sign-in's second step. */
export type SecondFactorMethod = 'TOTP' | 'RECOVERY_CODE' | 'WEBAUTHN';

/** What a person holds that a second step could take. */
export interface HeldSecondFactors {
  totp: boolean;
  /** Unused recovery codes (they back the app up). */
  recovery: boolean;
  passkey: boolean;
}

/**
 * Pure: the methods the second step offers and accepts. A confirmed authenticator app gives TOTP, and with
 * it the unused recovery codes; a registered passkey gives WEBAUTHN. Recovery codes alone never make
 * sign-in two-step (they back the app up). Empty: the password alone signs in.
 *
 * `phishingResistantOnly` (the person's role is one of the MFA policy's phishing-resistant roles,
 * mfa-policy.ts): once they have a passkey, only the passkey is accepted — an app code or a recovery code
 * can be phished, which is what the policy exists to rule out, and accepting one would let a phished code
 * open a full session of a privileged person. Before they have a passkey (grace period, or enrolment
 * enforced) the app still works, so they can get in to add one: an enforced policy makes that session
 * enrolment-only (enrolment-restriction.ts). A lost passkey is a factor reset by an administrator.
 */
export function secondFactorMethodsFrom(
  held: HeldSecondFactors,
  phishingResistantOnly = false,
): SecondFactorMethod[] {
  if (phishingResistantOnly && held.passkey) return ['WEBAUTHN'];
  const methods: SecondFactorMethod[] = [];
  if (held.totp) methods.push('TOTP');
  if (held.totp && held.recovery) methods.push('RECOVERY_CODE');
  if (held.passkey) methods.push('WEBAUTHN');
  return methods;
}

/** What the person has enrolled that a second step could take (one query). */
export async function heldSecondFactorsOf(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
): Promise<HeldSecondFactors> {
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
      eb
        .exists(
          eb
            .selectFrom('passkeys')
            .select('id')
            .where('org_id', '=', user.org_id)
            .where('user_id', '=', user.id),
        )
        .as('passkey'),
    ])
    .executeTakeFirstOrThrow();
  return { totp: Boolean(r.totp), recovery: Boolean(r.recovery), passkey: Boolean(r.passkey) };
}

/**
 * The second step's methods for this person (see `secondFactorMethodsFrom`); give `phishingResistantOnly`
 * from the organisation's MFA policy and their role (`phishingResistantOnlyFor`).
 */
export async function secondFactorMethodsOf(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
  phishingResistantOnly = false,
): Promise<SecondFactorMethod[]> {
  return secondFactorMethodsFrom(await heldSecondFactorsOf(db, user), phishingResistantOnly);
}

/** Whether the MFA policy of the person's organisation asks a passkey of their role. Pure. */
export function phishingResistantOnlyFor(user: {
  role: string;
  org_settings: Record<string, unknown>;
}): boolean {
  return isRoleKey(user.role) && mfaPolicyOf(user.org_settings).phishingResistantRoles.has(user.role);
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
