import type { OrganizationRow } from '../../../db/schema.js';
import { updateOrganizationSettings } from '../../../domain/organizations/update-organization-settings.js';
import { changeUserRole } from '../../../domain/users/change-user-role.js';
import { updateUserProfile } from '../../../domain/users/update-user-profile.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { RoleKeyEnum } from './enums.js';
import { UserPayload } from './lifecycle-mutations.js';
import { UserError, runMutation } from './user-error.js';
import { OrganizationRef } from './viewer.js';

const ChangeUserRoleInput = builder.inputType('ChangeUserRoleInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    role: t.field({ type: RoleKeyEnum, required: true }),
    expectedVersion: t.int({ description: 'Refuse if the user changed since this version.' }),
  }),
});

const UpdateUserProfileInput = builder.inputType('UpdateUserProfileInput', {
  description:
    'Absent fields are left alone; null clears jobTitle, phone, locale and timeZone. The email is not editable here.',
  fields: (t) => ({
    userId: t.id({ required: true }),
    displayName: t.string(),
    jobTitle: t.string(),
    phone: t.string(),
    locale: t.string({ description: 'BCP 47 language tag, e.g. en-GB.' }),
    timeZone: t.string({ description: 'IANA time zone, e.g. Europe/London.' }),
    attributes: t.field({
      type: 'JSON',
      description:
        'Replaces all custom attributes: up to 50 names (letter first, then letters, digits, _) with string, number, boolean or null values. Requires `users:update`.',
    }),
    expectedVersion: t.int(),
  }),
});

const UpdateOrganizationSettingsInput = builder.inputType('UpdateOrganizationSettingsInput', {
  description: 'Absent fields keep their value.',
  fields: (t) => ({
    invitationTtlDays: t.int({ description: 'Default lifetime of invitation links, 1 to 90 days.' }),
    sessionIdleMinutes: t.int({ description: 'Sessions end after this much inactivity, 5 to 1440 minutes.' }),
    sessionAbsoluteHours: t.int({ description: 'Sessions end this long after sign-in, 1 to 720 hours.' }),
    minPasswordLength: t.int({
      description:
        "Passwords must be at least this long, 8 to 64. It only raises NIST's floor: 15 characters when the password is the only factor, 8 with a second factor.",
    }),
    endSessionsOnPasswordChange: t.boolean({
      description: 'Changing one’s own password ends one’s other sessions (default true).',
    }),
    scimCreatesInvitations: t.boolean({
      description:
        'A user created through SCIM is invited (activates by accepting) instead of active at once (default false).',
    }),
    scimDeactivation: t.string({
      description: 'What SCIM `active: false` does: "suspend" (default, reversible) or "deactivate" (final).',
    }),
    mfaRequiredRoles: t.field({
      type: [RoleKeyEnum],
      description: 'Holders of these roles must enrol a second factor (an authenticator app or a passkey).',
    }),
    mfaPhishingResistantRoles: t.field({
      type: [RoleKeyEnum],
      description: 'Holders of these roles must enrol a passkey; an authenticator app does not satisfy it.',
    }),
    mfaGracePeriodDays: t.int({
      description:
        'Days someone newly covered by the MFA policy may still sign in without a second factor, 0 to 90 (default 7).',
    }),
    // step-up and session policy (issue 12)
    reauthenticationWindowMinutes: t.int({
      description:
        'Sensitive actions need an authentication within this many minutes, 1 to 1440 (default 10).',
    }),
    sessionPrivilegedIdleMinutes: t.int({
      description:
        'Sessions of privileged roles end after this much inactivity, 5 to 1440 minutes (default 15; never longer than sessionIdleMinutes).',
    }),
    sessionPrivilegedAbsoluteHours: t.int({
      description:
        'Sessions of privileged roles end this long after sign-in, 1 to 720 hours (default 12; never longer than sessionAbsoluteHours).',
    }),
    maxSessionsPerUser: t.int({
      description: 'Live sessions one person may hold, 1 to 100 (default 10); a new sign-in ends the oldest.',
    }),
  }),
});

const OrganizationPayload = builder
  .objectRef<{ organization?: OrganizationRow; userErrors: unknown[] }>('OrganizationPayload')
  .implement({
    description: 'The organisation after the change, or why it did not apply.',
    fields: (t) => ({
      organization: t.field({
        type: OrganizationRef,
        nullable: true,
        resolve: (p) => p.organization ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors as never }),
    }),
  });

builder.mutationFields((t) => ({
  changeUserRole: t.field({
    type: UserPayload,
    description:
      'Move a user to another role (preview with `compareRoles`). Losing any permission ends their sessions.',
    args: { input: t.arg({ type: ChangeUserRoleInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await changeUserRole(commandContext(ctx), {
          userId: String(input.userId),
          role: input.role,
          expectedVersion: input.expectedVersion ?? null,
        }),
      })),
  }),
  updateUserProfile: t.field({
    type: UserPayload,
    description: 'Edit a profile: your own name and contact details, or anyone’s with `users:update`.',
    args: { input: t.arg({ type: UpdateUserProfileInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await updateUserProfile(commandContext(ctx), {
          userId: String(input.userId),
          // absent stays absent (unchanged); an explicit null clears, except the name, which cannot be empty
          displayName: input.displayName ?? undefined,
          jobTitle: input.jobTitle,
          phone: input.phone,
          locale: input.locale,
          timeZone: input.timeZone,
          // validated by the command's schema
          attributes: (input.attributes ?? undefined) as Record<string, unknown> | undefined,
          expectedVersion: input.expectedVersion ?? null,
        }),
      })),
  }),
  updateOrganizationSettings: t.field({
    type: OrganizationPayload,
    description: 'Change organisation settings (invitation and session lifetimes, password rules).',
    args: { input: t.arg({ type: UpdateOrganizationSettingsInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        organization: await updateOrganizationSettings(commandContext(ctx), {
          invitationTtlDays: input.invitationTtlDays ?? undefined,
          sessionIdleMinutes: input.sessionIdleMinutes ?? undefined,
          sessionAbsoluteHours: input.sessionAbsoluteHours ?? undefined,
          minPasswordLength: input.minPasswordLength ?? undefined,
          endSessionsOnPasswordChange: input.endSessionsOnPasswordChange ?? undefined,
          mfaRequiredRoles: input.mfaRequiredRoles ?? undefined,
          mfaPhishingResistantRoles: input.mfaPhishingResistantRoles ?? undefined,
          mfaGracePeriodDays: input.mfaGracePeriodDays ?? undefined,
          reauthenticationWindowMinutes: input.reauthenticationWindowMinutes ?? undefined,
          sessionPrivilegedIdleMinutes: input.sessionPrivilegedIdleMinutes ?? undefined,
          sessionPrivilegedAbsoluteHours: input.sessionPrivilegedAbsoluteHours ?? undefined,
          maxSessionsPerUser: input.maxSessionsPerUser ?? undefined,
          scimCreatesInvitations: input.scimCreatesInvitations ?? undefined,
          // validated by the command's schema
          scimDeactivation: (input.scimDeactivation ?? undefined) as 'suspend' | 'deactivate' | undefined,
        }),
      })),
  }),
}));
