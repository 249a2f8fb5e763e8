import { can } from '../../../authz/authorize.js';
import type { OrganizationRow } from '../../../db/schema.js';
import { DomainError } from '../../../domain/errors.js';
import { invitationTtlDaysOf } from '../../../domain/invitations/invitation-rules.js';
import { provisioningSettingsOf } from '../../../domain/users/provisioning-settings.js';
import { sessionPolicyOf } from '../../../domain/sessions/session-policy.js';
import { passwordRules } from '../../../domain/security/password-policy.js';
import {
  endSessionsOnPasswordChangeOf,
  minPasswordLengthOf,
} from '../../../domain/security/password-settings.js';
import { mfaPolicyOf } from '../../../domain/mfa/mfa-policy.js';
import { getOrganization, getUser, getViewer } from '../../../domain/users/get-user.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { RoleKeyEnum } from './enums.js';
import { UserRef } from './user.js';

/** The organisation's settings object, for a viewer with `organization:read` only. */
export function readableSettings(o: OrganizationRow, ctx: Parameters<typeof commandContext>[0]) {
  if (!can(commandContext(ctx).actor, 'organization:read')) throw new DomainError('FORBIDDEN');
  return o.settings;
}

export const OrganizationRef = builder.objectRef<OrganizationRow>('Organization').implement({
  description: 'The organisation the viewer belongs to.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    createdAt: t.field({ type: 'DateTime', resolve: (o) => o.created_at }),
    settings: t.field({
      type: 'JSON',
      description: 'Requires `organization:read`.',
      resolve: (o, _a, ctx) => {
        const c = commandContext(ctx);
        if (!can(c.actor, 'organization:read')) throw new DomainError('FORBIDDEN');
        return o.settings;
      },
    }),
    invitationTtlDays: t.int({
      description:
        'Lifetime of a new invitation link in days, as in force (default filled in). Requires `organization:read`.',
      resolve: (o, _a, ctx) => invitationTtlDaysOf(readableSettings(o, ctx)),
    }),
    scimCreatesInvitations: t.boolean({
      description:
        'Whether a user created through SCIM is invited instead of active at once, as in force. Requires `organization:read`.',
      resolve: (o, _a, ctx) => provisioningSettingsOf(readableSettings(o, ctx)).scimCreatesInvitations,
    }),
    scimDeactivation: t.string({
      description:
        'What SCIM `active: false` does, as in force: "suspend" or "deactivate". Requires `organization:read`.',
      resolve: (o, _a, ctx) => provisioningSettingsOf(readableSettings(o, ctx)).scimDeactivation,
    }),
    sessionIdleMinutes: t.int({
      description: 'A session ends after this much inactivity, as in force. Requires `organization:read`.',
      resolve: (o, _a, ctx) => sessionPolicyOf(readableSettings(o, ctx)).idleMinutes,
    }),
    sessionAbsoluteHours: t.int({
      description: 'A session ends this long after sign-in, as in force. Requires `organization:read`.',
      resolve: (o, _a, ctx) => sessionPolicyOf(readableSettings(o, ctx)).absoluteHours,
    }),
    minPasswordLength: t.int({
      description:
        "The organisation's minimum password length as in force: its setting, or NIST's floor of 15 when unset. People with a second factor may use 8 unless the setting says more. Requires `organization:read`.",
      resolve: (o, _a, ctx) =>
        minPasswordLengthOf(readableSettings(o, ctx)) ?? passwordRules.minLengthSingleFactor,
    }),
    endSessionsOnPasswordChange: t.boolean({
      description:
        'Whether changing one’s own password ends one’s other sessions (a reset by email always ends all). Requires `organization:read`.',
      resolve: (o, _a, ctx) => endSessionsOnPasswordChangeOf(readableSettings(o, ctx)),
    }),
    mfaRequiredRoles: t.field({
      type: [RoleKeyEnum],
      description:
        'Roles whose holders must enrol a second factor (phishing-resistant roles included). Requires `organization:read`.',
      resolve: (o, _a, ctx) => [...mfaPolicyOf(readableSettings(o, ctx)).requiredRoles].sort(),
    }),
    mfaPhishingResistantRoles: t.field({
      type: [RoleKeyEnum],
      description: 'Roles whose holders must enrol a passkey. Requires `organization:read`.',
      resolve: (o, _a, ctx) => [...mfaPolicyOf(readableSettings(o, ctx)).phishingResistantRoles].sort(),
    }),
    mfaGracePeriodDays: t.int({
      description:
        'Days someone newly covered by the MFA policy may still sign in without a factor, as in force. Requires `organization:read`.',
      resolve: (o, _a, ctx) => mfaPolicyOf(readableSettings(o, ctx)).gracePeriodDays,
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in user, or null when the request carries no valid access token.',
    resolve: (_r, _a, ctx) => (ctx.actor ? getViewer(commandContext(ctx)) : null),
  }),
  organization: t.field({
    type: OrganizationRef,
    description: 'The viewer’s organisation.',
    resolve: (_r, _a, ctx) => getOrganization(commandContext(ctx)),
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    description: 'A user of the viewer’s organisation, or null when there is none with this id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      try {
        return await getUser(commandContext(ctx), String(id));
      } catch (err) {
        if (err instanceof DomainError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    },
  }),
}));
