import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import type { SessionRestriction } from '../sessions/create-session.js';
import {
  mfaPolicyOf,
  mfaRequirementOf,
  type EnrolledFactors,
  type MfaPolicy,
  type MfaRequirement,
} from './mfa-policy.js';

/** The confirmed second factors of a person: an authenticator app (TOTP), passkeys. */
export async function enrolledFactorsOf(
  db: Kysely<DB> | Tx,
  orgId: string,
  userId: string,
): Promise<EnrolledFactors> {
  const r = await db
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom('mfa_factors')
            .select('id')
            .where('org_id', '=', orgId)
            .where('user_id', '=', userId)
            .where('kind', '=', 'totp')
            .where('confirmed_at', 'is not', null),
        )
        .as('totp'),
      eb
        .exists(
          eb.selectFrom('passkeys').select('id').where('org_id', '=', orgId).where('user_id', '=', userId),
        )
        .as('passkey'),
    ])
    .executeTakeFirstOrThrow();
  return { totp: Boolean(r.totp), passkey: Boolean(r.passkey) };
}

/** What the policy asks of this person now; reads their factors only when their role is covered. */
export async function mfaRequirementFor(
  trx: Kysely<DB> | Tx,
  p: { policy: MfaPolicy; orgId: string; userId: string; role: RoleKey; activatedAt: Date | null; now: Date },
): Promise<MfaRequirement> {
  const factors = p.policy.requiredRoles.has(p.role)
    ? await enrolledFactorsOf(trx, p.orgId, p.userId)
    : { totp: false, passkey: false };
  return mfaRequirementOf({ ...p, factors });
}

/** The restriction a new session gets: enrolment only, when the policy is enforced on the person. */
export function restrictionFor(requirement: MfaRequirement): SessionRestriction | null {
  return requirement.enforced ? 'mfa_enrolment' : null;
}

/**
 * After a person enrolled a factor: their enrolment-only sessions become ordinary ones, when what they now
 * have satisfies the policy (a TOTP factor does not, for a role that must use passkeys). The sessions'
 * current access tokens stay restricted until they expire; the client refreshes to get an unrestricted one.
 */
export async function liftEnrolmentRestriction(
  trx: Tx,
  p: { policy: MfaPolicy; orgId: string; userId: string; role: RoleKey; activatedAt: Date | null; now: Date },
): Promise<number> {
  const requirement = await mfaRequirementFor(trx, p);
  if (requirement.enforced) return 0;
  const lifted = await trx
    .updateTable('sessions')
    .set({ restriction: null })
    .where('org_id', '=', p.orgId)
    .where('user_id', '=', p.userId)
    .where('restriction', 'is not', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(lifted.numUpdatedRows);
}

/** `liftEnrolmentRestriction` for a user row just locked by an enrolment command. */
export async function liftEnrolmentRestrictionOf(
  trx: Tx,
  user: { org_id: string; id: string; role: string; activated_at: Date | null },
  now: Date,
): Promise<number> {
  if (!isRoleKey(user.role)) return 0;
  const org = await trx
    .selectFrom('organizations')
    .select('settings')
    .where('id', '=', user.org_id)
    .executeTakeFirstOrThrow();
  return liftEnrolmentRestriction(trx, {
    policy: mfaPolicyOf(org.settings),
    orgId: user.org_id,
    userId: user.id,
    role: user.role,
    activatedAt: user.activated_at,
    now,
  });
}
