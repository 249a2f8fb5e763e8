import { hasConfirmedFactor } from '../../../domain/mfa/factors.js';
import { changeMyPassword } from '../../../domain/security/change-my-password.js';
import {
  completePasswordReset,
  previewPasswordReset,
  type PasswordResetPreview,
} from '../../../domain/security/complete-password-reset.js';
import { requestPasswordReset } from '../../../domain/security/request-password-reset.js';
import { minPasswordLength } from '../../../domain/security/password-policy.js';
import { minPasswordLengthOf } from '../../../domain/security/password-settings.js';
import { sendPasswordReset } from '../../../domain/security/send-password-reset.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { UserRef } from './user.js';
import { UserError, runMutation, type UserErrorShape } from './user-error.js';

const ChangeMyPasswordInput = builder.inputType('ChangeMyPasswordInput', {
  fields: (t) => ({
    currentPassword: t.string({ required: true }),
    newPassword: t.string({ required: true }),
  }),
});

const RequestPasswordResetInput = builder.inputType('RequestPasswordResetInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    organization: t.string({
      description: 'Organisation slug; without it, every organisation of the email.',
    }),
  }),
});

const CompletePasswordResetInput = builder.inputType('CompletePasswordResetInput', {
  fields: (t) => ({
    token: t.string({ required: true, description: 'The token from the reset link.' }),
    newPassword: t.string({ required: true }),
  }),
});

const SendPasswordResetInput = builder.inputType('SendPasswordResetInput', {
  fields: (t) => ({ userId: t.id({ required: true }) }),
});

const ChangeMyPasswordPayload = builder
  .objectRef<{ user?: unknown; endedSessions?: number; userErrors: UserErrorShape[] }>(
    'ChangeMyPasswordPayload',
  )
  .implement({
    fields: (t) => ({
      user: t.field({ type: UserRef, nullable: true, resolve: (p) => (p.user ?? null) as never }),
      endedSessions: t.int({
        nullable: true,
        description: 'How many of your other sessions ended (the current one stays).',
        resolve: (p) => p.endedSessions ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const RequestPasswordResetPayload = builder
  .objectRef<{ ok?: boolean; userErrors: UserErrorShape[] }>('RequestPasswordResetPayload')
  .implement({
    description: 'Always the same answer, whether or not the address has an account.',
    fields: (t) => ({
      ok: t.boolean({ nullable: true, resolve: (p) => p.ok ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const CompletePasswordResetPayload = builder
  .objectRef<{ email?: string; organization?: string; userErrors: UserErrorShape[] }>(
    'CompletePasswordResetPayload',
  )
  .implement({
    description: 'The account whose password was set: sign in with it. Nobody is signed in by a reset.',
    fields: (t) => ({
      email: t.string({ nullable: true, resolve: (p) => p.email ?? null }),
      organization: t.string({
        nullable: true,
        description: 'The organisation’s slug.',
        resolve: (p) => p.organization ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const SendPasswordResetPayload = builder
  .objectRef<{ user?: unknown; expiresAt?: Date; userErrors: UserErrorShape[] }>('SendPasswordResetPayload')
  .implement({
    fields: (t) => ({
      user: t.field({ type: UserRef, nullable: true, resolve: (p) => (p.user ?? null) as never }),
      expiresAt: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'Until when the emailed link works.',
        resolve: (p) => p.expiresAt ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const PasswordResetPreviewRef = builder.objectRef<PasswordResetPreview>('PasswordResetPreview').implement({
  description: 'What a usable reset link is for: nothing its holder could not read in the email.',
  fields: (t) => ({
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName'),
    organizationName: t.exposeString('organizationName'),
    organizationSlug: t.exposeString('organizationSlug'),
    expiresAt: t.field({ type: 'DateTime', resolve: (p) => p.expiresAt }),
    minPasswordLength: t.exposeInt('minPasswordLength'),
  }),
});

builder.queryFields((t) => ({
  passwordResetPreview: t.field({
    type: PasswordResetPreviewRef,
    description:
      'Anonymous: the account behind a reset link. An unusable token answers only the error PASSWORD_RESET_INVALID (unknown, used, replaced) or PASSWORD_RESET_EXPIRED; failed look-ups are throttled per source address. Once per request.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_r, { token }, ctx) => previewPasswordReset(ctx.services, ctx.meta, { token }),
  }),
}));

builder.mutationFields((t) => ({
  changeMyPassword: t.field({
    type: ChangeMyPasswordPayload,
    description:
      'Change your own password: the current one is checked (failures count toward the sign-in lockout); your other sessions end unless the organisation turned that off.',
    args: { input: t.arg({ type: ChangeMyPasswordInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(() =>
        changeMyPassword(commandContext(ctx), {
          currentPassword: input.currentPassword,
          newPassword: input.newPassword,
        }),
      ),
  }),
  requestPasswordReset: t.field({
    type: RequestPasswordResetPayload,
    description:
      'Anonymous: email a reset link to the address, if it has an active account. Always answers ok (throttled requests too, which send nothing). Once per request.',
    args: { input: t.arg({ type: RequestPasswordResetInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        await requestPasswordReset(ctx.services, ctx.meta, {
          email: input.email,
          organization: input.organization ?? null,
        });
        return { ok: true };
      }),
  }),
  completePasswordReset: t.field({
    type: CompletePasswordResetPayload,
    description:
      'Anonymous: set a new password with a reset link (works once, 30 minutes). Ends every session of the account and clears its lockout. Once per request.',
    args: { input: t.arg({ type: CompletePasswordResetInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        const r = await completePasswordReset(ctx.services, ctx.meta, {
          token: input.token,
          newPassword: input.newPassword,
        });
        return { email: r.email, organization: r.organizationSlug };
      }),
  }),
  sendPasswordReset: t.field({
    type: SendPasswordResetPayload,
    description:
      'Email a user a password reset link. Needs `security:manage` on the user; you never see the link or set the password.',
    args: { input: t.arg({ type: SendPasswordResetInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(() => sendPasswordReset(commandContext(ctx), { userId: String(input.userId) })),
  }),
}));

builder.objectFields(UserRef, (t) => ({
  minPasswordLength: t.int({
    nullable: true,
    description:
      'The minimum length of a new password for this user (NIST’s floor, raised by the organisation’s setting). Only for the user themself; null for anyone else.',
    resolve: async (u, _a, ctx) => {
      if (ctx.actor?.type !== 'user' || ctx.actor.userId !== u.id) return null;
      const org = await ctx.services.db
        .selectFrom('organizations')
        .select('settings')
        .where('id', '=', u.org_id)
        .executeTakeFirstOrThrow();
      return minPasswordLength({
        minLength: minPasswordLengthOf(org.settings),
        hasMfa: await hasConfirmedFactor(ctx.services.db, u),
      });
    },
  }),
  passwordChangedAt: t.field({
    type: 'DateTime',
    nullable: true,
    description: 'When the password was last set. Only for the user themself; null for anyone else.',
    resolve: (u, _a, ctx) =>
      ctx.actor?.type === 'user' && ctx.actor.userId === u.id ? u.password_changed_at : null,
  }),
}));
