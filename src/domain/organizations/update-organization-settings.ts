import { z } from 'zod';
import { authorize } from '../../authz/authorize.js';
import type { OrganizationRow } from '../../db/schema.js';
import { withTransaction } from '../../db/transaction.js';
import { diffFields, recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { maxInvitationTtlDays } from '../invitations/invitation-link.js';
import { roleKeys } from '../../authz/roles.js';
import { mfaGracePeriodBounds, nextRequiredSince } from '../mfa/mfa-policy.js';
import { minPasswordLengthBounds } from '../security/password-settings.js';
import { requireRecentAuthentication } from '../security/recent-authentication.js';
import { reauthenticationWindowBounds } from '../security/step-up-settings.js';
import { sessionPolicyBounds } from '../sessions/session-policy.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { scimDeactivationModes } from '../users/provisioning-settings.js';

/** Bounds of the organisation settings; the keys are the names stored in `organizations.settings`. */
export const organizationSettingBounds = {
  invitationTtlDays: { min: 1, max: maxInvitationTtlDays },
  sessionIdleMinutes: { min: 5, max: 1440 },
  sessionAbsoluteHours: { min: 1, max: 720 },
  /** Raises the password policy's minimum; never below NIST's floor (password-settings.ts). */
  minPasswordLength: minPasswordLengthBounds,
  /** Days someone newly covered by the MFA policy may still sign in without a second factor. */
  mfaGracePeriodDays: mfaGracePeriodBounds,
  // step-up and session policy (issue 12)
  reauthenticationWindowMinutes: reauthenticationWindowBounds,
  ...sessionPolicyBounds,
} as const;

const roleSet = z
  .array(z.enum(roleKeys as unknown as [string, ...string[]]))
  .max(roleKeys.length)
  .transform((roles) => [...new Set(roles)].sort())
  .optional();

/**
 * The settings that govern sign-in, sessions and what identity providers may do: changing any of them is a sensitive action (step-up,
 * `requireRecentAuthentication`). Setting a value to what is stored is no change and needs nothing.
 */
export const securitySettingKeys: readonly string[] = [
  'sessionIdleMinutes',
  'sessionAbsoluteHours',
  'minPasswordLength',
  'endSessionsOnPasswordChange',
  'reauthenticationWindowMinutes',
  'sessionPrivilegedIdleMinutes',
  'sessionPrivilegedAbsoluteHours',
  'maxSessionsPerUser',
  'mfaRequiredRoles',
  'mfaPhishingResistantRoles',
  'mfaGracePeriodDays',
  // lets the organisation's SCIM tokens end people's accounts for good
  'scimDeactivation',
];

/** A whole number within the key's bounds; the message says which, so a form can show it at the field. */
const bounded = (key: keyof typeof organizationSettingBounds) => {
  const { min, max } = organizationSettingBounds[key];
  const message = `Must be a whole number from ${min} to ${max}.`;
  return z.number().int(message).min(min, message).max(max, message).optional();
};

export const updateOrganizationSettingsInput = z
  .object({
    /** Default lifetime of a new invitation link. */
    invitationTtlDays: bounded('invitationTtlDays'),
    /** A session ends after this long without use. */
    sessionIdleMinutes: bounded('sessionIdleMinutes'),
    /** A session ends this long after sign-in, however active. */
    sessionAbsoluteHours: bounded('sessionAbsoluteHours'),
    /** Passwords must be at least this long (NIST's floor still applies: 15 alone, 8 with MFA). */
    minPasswordLength: bounded('minPasswordLength'),
    /** Changing one's password ends one's other sessions (default on). */
    endSessionsOnPasswordChange: z.boolean().optional(),
    /** Holders of these roles must enrol a second factor (mfa-policy.ts). */
    mfaRequiredRoles: roleSet,
    /** Holders of these roles must enrol a passkey (phishing-resistant); implies required. */
    mfaPhishingResistantRoles: roleSet,
    mfaGracePeriodDays: bounded('mfaGracePeriodDays'),
    // step-up and session policy (issue 12)
    /** A sensitive action needs an authentication of the session within this many minutes. */
    reauthenticationWindowMinutes: bounded('reauthenticationWindowMinutes'),
    /** Privileged roles' sessions end after this long without use (capped by sessionIdleMinutes). */
    sessionPrivilegedIdleMinutes: bounded('sessionPrivilegedIdleMinutes'),
    /** Privileged roles' sessions end this long after sign-in (capped by sessionAbsoluteHours). */
    sessionPrivilegedAbsoluteHours: bounded('sessionPrivilegedAbsoluteHours'),
    /** A sign-in beyond this many live sessions of one person ends the oldest. */
    maxSessionsPerUser: bounded('maxSessionsPerUser'),
    // SCIM provisioning (issue 13, users/provisioning-settings.ts)
    /** A user created through SCIM gets an invitation instead of being active at once (default off). */
    scimCreatesInvitations: z.boolean().optional(),
    /** What SCIM `active: false` does: suspend (default, reversible) or deactivate (final). */
    scimDeactivation: z.enum(scimDeactivationModes).optional(),
  })
  .strict();

/**
 * Changes organisation settings; absent fields keep their value. Other keys of the settings object are
 * left alone. A change that sets the values already stored writes nothing (no audit event).
 */
export async function updateOrganizationSettings(
  ctx: CommandContext,
  raw: z.input<typeof updateOrganizationSettingsInput>,
): Promise<OrganizationRow> {
  authorize(ctx.actor, 'organization:update');
  const input = parseInput(updateOrganizationSettingsInput, raw);
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const orgId = ctx.actor.orgId;
  return withTransaction(ctx.db, async (scope) => {
    const now = ctx.clock.now();
    const org = await scope.trx
      .selectFrom('organizations')
      .selectAll()
      .where('id', '=', orgId)
      .forNoKeyUpdate() // not FOR UPDATE: that would block every foreign-key check on the org
      .executeTakeFirst();
    if (!org) throw new DomainError('NOT_FOUND');
    const merged = { ...org.settings, ...given };
    const idle = merged.sessionIdleMinutes;
    const absolute = merged.sessionAbsoluteHours;
    if (typeof idle === 'number' && typeof absolute === 'number' && idle > absolute * 60) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'The idle timeout cannot be longer than the absolute session lifetime.',
        { field: 'sessionIdleMinutes' in given ? 'sessionIdleMinutes' : 'sessionAbsoluteHours' },
      );
    }
    const pIdle = merged.sessionPrivilegedIdleMinutes;
    const pAbsolute = merged.sessionPrivilegedAbsoluteHours;
    if (typeof pIdle === 'number' && typeof pAbsolute === 'number' && pIdle > pAbsolute * 60) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'The idle timeout cannot be longer than the absolute session lifetime.',
        {
          field:
            'sessionPrivilegedIdleMinutes' in given
              ? 'sessionPrivilegedIdleMinutes'
              : 'sessionPrivilegedAbsoluteHours',
        },
      );
    }
    const before = Object.fromEntries(Object.keys(given).map((k) => [k, org.settings[k] ?? null]));
    const changes = diffFields(before, given);
    if (Object.keys(changes).length === 0) return org;
    // When each role became covered by the MFA policy: its holders' grace period starts there.
    if ('mfaRequiredRoles' in changes || 'mfaPhishingResistantRoles' in changes) {
      merged.mfaRequiredSince = nextRequiredSince(org.settings, merged, now);
    }
    if (Object.keys(changes).some((k) => securitySettingKeys.includes(k))) {
      await requireRecentAuthentication(ctx, scope.trx);
    }
    const updated = await scope.trx
      .updateTable('organizations')
      .set({ settings: JSON.stringify(merged), updated_at: now })
      .where('id', '=', orgId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAuditEvent(
      scope.trx,
      orgId,
      { actor: ctx.actor, meta: ctx.meta, now },
      { action: 'organization.updated', targetType: 'organization', targetId: orgId, changes },
    );
    return updated;
  });
}
