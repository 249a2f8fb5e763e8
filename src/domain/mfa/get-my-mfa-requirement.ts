import { isRoleKey } from '../../authz/roles.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { mfaRequirementFor } from './enrolment-restriction.js';
import { mfaPolicyOf, type MfaRequirement } from './mfa-policy.js';

export interface MyMfaRequirement extends MfaRequirement {
  /** This session may only enrol a factor (the policy was enforced when it was opened). */
  restricted: boolean;
  email: string;
  displayName: string | null;
}

/**
 * What the organisation's MFA policy asks of the signed-in person, for the console's banner during the
 * grace period and its enrolment page after it. Anyone may read their own; an enrolment-only session too.
 */
export async function getMyMfaRequirement(ctx: CommandContext): Promise<MyMfaRequirement> {
  if (ctx.actor.type !== 'user') throw new DomainError('UNAUTHENTICATED');
  const { userId, orgId, sessionId } = ctx.actor;
  const row = await ctx.db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .innerJoin('sessions', (j) =>
      j.onRef('sessions.user_id', '=', 'users.id').on('sessions.id', '=', sessionId),
    )
    .select([
      'users.role',
      'users.email',
      'users.display_name',
      'users.activated_at',
      'organizations.settings',
      'sessions.restriction',
    ])
    .where('users.org_id', '=', orgId)
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row || !isRoleKey(row.role)) throw new DomainError('NOT_FOUND');
  const requirement = await mfaRequirementFor(ctx.db, {
    policy: mfaPolicyOf(row.settings),
    orgId,
    userId,
    role: row.role,
    activatedAt: row.activated_at,
    now: ctx.clock.now(),
  });
  return {
    ...requirement,
    restricted: row.restriction !== null,
    email: row.email,
    displayName: row.display_name,
  };
}
