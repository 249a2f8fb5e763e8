import type { RoleKey } from '../../authz/roles.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import type { SessionRestriction } from '../sessions/create-session.js';
import { mfaRequirementOf, type EnrolledFactors, type MfaPolicy, type MfaRequirement } from './mfa-policy.js';

/**
 * The confirmed second factors of a person.
 * TODO(merge): read the TOTP factors and passkeys tables once those land; until then nobody has one.
 */
export async function enrolledFactorsOf(
  _db: Kysely<DB> | Tx,
  _orgId: string,
  _userId: string,
): Promise<EnrolledFactors> {
  return { totp: false, passkey: false };
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
