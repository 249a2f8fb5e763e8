import { beginSecondFactorPasskey } from '../../../domain/mfa/begin-second-factor-passkey.js';
import { beginTotpEnrolment } from '../../../domain/mfa/begin-totp-enrolment.js';
import { completeMfaSignIn } from '../../../domain/mfa/complete-mfa-sign-in.js';
import { confirmTotpEnrolment } from '../../../domain/mfa/confirm-totp-enrolment.js';
import { listFactors, recoveryCodesRemaining, type MfaFactorRow } from '../../../domain/mfa/factors.js';
import type { IssuedMfaChallenge } from '../../../domain/mfa/mfa-challenge.js';
import { regenerateRecoveryCodes } from '../../../domain/mfa/regenerate-recovery-codes.js';
import { removeTotpFactor } from '../../../domain/mfa/remove-totp-factor.js';
import { can } from '../../../authz/authorize.js';
import { resetUserFactors } from '../../../domain/mfa/reset-user-factors.js';
import { builder } from '../builder.js';
import { commandContext, enrolmentContext, type GraphQLContext } from '../context.js';
import { UserPayload } from './lifecycle-mutations.js';
import { SessionTokensPayload } from './session.js';
import { UserRef } from './user.js';
import { UserError, runMutation, type UserErrorShape } from './user-error.js';
import { webauthnOptionsPayload } from './webauthn-options-payload.js';

// Multi-factor authentication (issue 12, security/mfa-totp): thin edges over domain/mfa/.

const SecondFactorMethodEnum = builder.enumType('SecondFactorMethod', {
  description: 'A way to pass the sign-in’s second step.',
  values: {
    TOTP: { value: 'TOTP', description: 'A 6-digit code from an authenticator app.' },
    RECOVERY_CODE: { value: 'RECOVERY_CODE', description: 'One of the single-use recovery codes.' },
    WEBAUTHN: {
      value: 'WEBAUTHN',
      description:
        'One of your passkeys: get options from `beginSecondFactorPasskey`, answer with `webauthnAssertion`.',
    },
  } as const,
});

const MfaChallengeRef = builder.objectRef<IssuedMfaChallenge>('MfaChallenge').implement({
  description:
    'The password was right; a second factor is due. Pass `id` to `completeSignIn` before `expiresAt` (5 minutes); it works once and allows a few attempts.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Secret: give it back only to `completeSignIn`.' }),
    methods: t.field({ type: [SecondFactorMethodEnum], resolve: (c) => c.methods }),
    expiresAt: t.field({ type: 'DateTime', resolve: (c) => c.expiresAt }),
  }),
});

builder.objectField(SessionTokensPayload, 'mfaChallenge', (t) =>
  t.field({
    type: MfaChallengeRef,
    nullable: true,
    description: 'Set by `signIn` instead of tokens when the account has a second factor.',
    resolve: (p) => p.mfaChallenge ?? null,
  }),
);

const MfaFactorRef = builder.objectRef<MfaFactorRow>('MfaFactor').implement({
  description: 'A confirmed second factor of a person.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.string({ description: '`TOTP` (an authenticator app).', resolve: (f) => f.kind.toUpperCase() }),
    name: t.exposeString('name'),
    createdAt: t.field({ type: 'DateTime', resolve: (f) => f.created_at }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.last_used_at }),
  }),
});

const isSelf = (ctx: GraphQLContext, u: { id: string }) =>
  ctx.actor?.type === 'user' && ctx.actor.userId === u.id;

builder.objectFields(UserRef, (t) => ({
  mfaFactors: t.field({
    type: [MfaFactorRef],
    nullable: true,
    description:
      'Confirmed second factors (kind, name, created, last used). For the user themself and for holders of `security:manage`; null for anyone else.',
    resolve: (u, _a, ctx) =>
      isSelf(ctx, u) || (ctx.actor && can(ctx.actor, 'security:manage'))
        ? listFactors(ctx.services.db, u)
        : null,
  }),
  recoveryCodesRemaining: t.int({
    nullable: true,
    description: 'How many unused recovery codes you have. Only for the user themself; null for anyone else.',
    resolve: (u, _a, ctx) => (isSelf(ctx, u) ? recoveryCodesRemaining(ctx.services.db, u) : null),
  }),
}));

const BeginTotpEnrolmentPayload = builder
  .objectRef<{ otpauthUri?: string; secret?: string; userErrors: UserErrorShape[] }>(
    'BeginTotpEnrolmentPayload',
  )
  .implement({
    fields: (t) => ({
      otpauthUri: t.string({
        nullable: true,
        description: 'The `otpauth://` URI to show as a QR code.',
        resolve: (p) => p.otpauthUri ?? null,
      }),
      secret: t.string({
        nullable: true,
        description: 'The secret in base32, for typing into the app by hand.',
        resolve: (p) => p.secret ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const ConfirmTotpEnrolmentInput = builder.inputType('ConfirmTotpEnrolmentInput', {
  fields: (t) => ({
    code: t.string({ required: true, description: 'The code the app shows now.' }),
    name: t.string({ description: 'What you call the app or device; "Authenticator app" by default.' }),
  }),
});

const ConfirmTotpEnrolmentPayload = builder
  .objectRef<{ factor?: MfaFactorRow; recoveryCodes?: string[] | null; userErrors: UserErrorShape[] }>(
    'ConfirmTotpEnrolmentPayload',
  )
  .implement({
    fields: (t) => ({
      factor: t.field({ type: MfaFactorRef, nullable: true, resolve: (p) => p.factor ?? null }),
      recoveryCodes: t.stringList({
        nullable: true,
        description: 'Your first 10 recovery codes, shown this once (null when you already had unused ones).',
        resolve: (p) => p.recoveryCodes ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const RemoveTotpFactorInput = builder.inputType('RemoveTotpFactorInput', {
  fields: (t) => ({
    currentPassword: t.string({ description: 'Your current password, or:' }),
    code: t.string({ description: 'A code from the app.' }),
  }),
});

const OkPayload = builder
  .objectRef<{ ok?: boolean; userErrors: UserErrorShape[] }>('RemoveTotpFactorPayload')
  .implement({
    fields: (t) => ({
      ok: t.boolean({ nullable: true, resolve: (p) => p.ok ?? null }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const RecoveryCodesPayload = builder
  .objectRef<{ recoveryCodes?: string[]; userErrors: UserErrorShape[] }>('RecoveryCodesPayload')
  .implement({
    fields: (t) => ({
      recoveryCodes: t.stringList({
        nullable: true,
        description: 'Shown this once; the earlier codes no longer work.',
        resolve: (p) => p.recoveryCodes ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors }),
    }),
  });

const CompleteSignInInput = builder.inputType('CompleteSignInInput', {
  description: 'The challenge from `signIn` and exactly one proof.',
  fields: (t) => ({
    challengeId: t.string({ required: true }),
    totpCode: t.string({ description: 'A code from the authenticator app.' }),
    recoveryCode: t.string({ description: 'One of your recovery codes (works once).' }),
    webauthnAssertion: t.field({
      type: 'JSON',
      description:
        'The AuthenticationResponseJSON from startAuthentication, for the options of `beginSecondFactorPasskey`.',
    }),
  }),
});

const BeginSecondFactorPasskeyInput = builder.inputType('BeginSecondFactorPasskeyInput', {
  fields: (t) => ({
    challengeId: t.string({ required: true, description: 'The `mfaChallenge.id` from `signIn`.' }),
  }),
});

const BeginSecondFactorPasskeyPayload = webauthnOptionsPayload('BeginSecondFactorPasskeyPayload');

const ResetUserFactorsInput = builder.inputType('ResetUserFactorsInput', {
  fields: (t) => ({ userId: t.id({ required: true }) }),
});

builder.mutationFields((t) => ({
  resetUserFactors: t.field({
    type: UserPayload,
    description:
      'Reset all of a user’s second factors (authenticator app, passkeys, recovery codes) and end their sessions; the user is emailed. Needs `security:manage` on the user and a recent authentication.',
    args: { input: t.arg({ type: ResetUserFactorsInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await resetUserFactors(commandContext(ctx), { userId: String(input.userId) }),
      })),
  }),
  beginTotpEnrolment: t.field({
    type: BeginTotpEnrolmentPayload,
    description:
      'Start setting up an authenticator app: a new secret, pending until `confirmTotpEnrolment`. Replaces an unconfirmed one.',
    resolve: (_r, _a, ctx) =>
      runMutation(async () => {
        const e = await beginTotpEnrolment(enrolmentContext(ctx));
        return { otpauthUri: e.otpauthUri, secret: e.secret };
      }),
  }),
  confirmTotpEnrolment: t.field({
    type: ConfirmTotpEnrolmentPayload,
    description:
      'Finish setting up the authenticator app with its first code; from then on sign-in asks for a code.',
    args: { input: t.arg({ type: ConfirmTotpEnrolmentInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(() =>
        confirmTotpEnrolment(enrolmentContext(ctx), { code: input.code, name: input.name ?? null }),
      ),
  }),
  removeTotpFactor: t.field({
    type: OkPayload,
    description:
      'Remove your authenticator app (and your recovery codes), proving your current password or a code; failures count toward the sign-in lockout. Once per request.',
    args: { input: t.arg({ type: RemoveTotpFactorInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () =>
        removeTotpFactor(commandContext(ctx), {
          currentPassword: input.currentPassword ?? null,
          code: input.code ?? null,
        }).then(() => ({ ok: true })),
      ),
  }),
  regenerateRecoveryCodes: t.field({
    type: RecoveryCodesPayload,
    description: 'Make 10 new recovery codes; the earlier ones stop working.',
    resolve: (_r, _a, ctx) => runMutation(() => regenerateRecoveryCodes(commandContext(ctx))),
  }),
  beginSecondFactorPasskey: t.field({
    type: BeginSecondFactorPasskeyPayload,
    description:
      'Anonymous: WebAuthn options for the second step of a sign-in whose `mfaChallenge.methods` include WEBAUTHN, bound to that challenge; they work once, for 5 minutes (a new call replaces them).',
    args: { input: t.arg({ type: BeginSecondFactorPasskeyInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(() => beginSecondFactorPasskey(ctx.services, ctx.meta, { challengeId: input.challengeId })),
  }),
  completeSignIn: t.field({
    type: SessionTokensPayload,
    description:
      'The second step of a sign-in: the `mfaChallenge.id` from `signIn` and a code or a passkey assertion. Failures count toward the sign-in lockout; the challenge allows 5 attempts. Once per request.',
    args: { input: t.arg({ type: CompleteSignInInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => {
        const r = await completeMfaSignIn(ctx.services, ctx.meta, {
          challengeId: input.challengeId,
          totpCode: input.totpCode ?? null,
          recoveryCode: input.recoveryCode ?? null,
          webauthnAssertion: (input.webauthnAssertion as never) ?? null,
        });
        return {
          accessToken: r.accessToken,
          refreshToken: r.refreshToken,
          expiresAt: r.expiresAt,
          user: r.user,
          restriction: r.restriction,
        };
      }),
  }),
}));
