import {
  listUserFactors,
  type UserFactor,
  type UserFactorKind,
} from '../../../domain/mfa/list-user-factors.js';
import { resetUserFactor } from '../../../domain/mfa/reset-user-factor.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { UserPayload } from './lifecycle-mutations.js';
import { runMutation } from './user-error.js';

// A person's factors for administrators, and resetting one of them (issue 12, "Administration"): thin
// edges over domain/mfa/list-user-factors.ts and reset-user-factor.ts.

const UserFactorKindEnum = builder.enumType('UserFactorKind', {
  values: {
    AUTHENTICATOR_APP: { value: 'authenticator_app', description: 'A TOTP authenticator app.' },
    PASSKEY: { value: 'passkey', description: 'A passkey (WebAuthn credential).' },
    RECOVERY_CODES: { value: 'recovery_codes', description: 'The batch of single-use recovery codes.' },
  } as const satisfies Record<string, { value: UserFactorKind; description: string }>,
});

const RecoveryCodesLeftRef = builder
  .objectRef<{ left: number; total: number }>('RecoveryCodesLeft')
  .implement({
    fields: (t) => ({
      left: t.exposeInt('left', { description: 'Unused codes.' }),
      total: t.exposeInt('total', { description: 'Codes in the batch (10).' }),
    }),
  });

const UserFactorRef = builder.objectRef<UserFactor>('UserFactor').implement({
  description:
    'One of a person’s second factors: what it is, never what it holds (no secret, key or code hash). The recovery codes are one entry.',
  fields: (t) => ({
    kind: t.field({ type: UserFactorKindEnum, resolve: (f) => f.kind }),
    id: t.id({
      nullable: true,
      description: 'Give it to `resetUserFactor`; null for the recovery codes.',
      resolve: (f) => f.id,
    }),
    name: t.string({ nullable: true, resolve: (f) => f.name }),
    createdAt: t.field({ type: 'DateTime', resolve: (f) => f.createdAt }),
    lastUsedAt: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.lastUsedAt }),
    recoveryCodes: t.field({
      type: RecoveryCodesLeftRef,
      nullable: true,
      description: 'For the recovery codes: how many of the batch are left.',
      resolve: (f) => f.recoveryCodes,
    }),
  }),
});

builder.queryFields((t) => ({
  userFactors: t.field({
    type: [UserFactorRef],
    description:
      'A user’s second factors (authenticator app, passkeys, recovery codes). Your own without permission; others need `security:manage` over them.',
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_r, { userId }, ctx) => listUserFactors(commandContext(ctx), String(userId)),
  }),
}));

const ResetUserFactorInput = builder.inputType('ResetUserFactorInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    kind: t.field({ type: UserFactorKindEnum, required: true }),
    factorId: t.id({
      description: 'The passkey’s or authenticator app’s `UserFactor.id`; absent for the recovery codes.',
    }),
  }),
});

builder.mutationFields((t) => ({
  resetUserFactor: t.field({
    type: UserPayload,
    description:
      'Remove one of a user’s second factors (a passkey, the authenticator app with its recovery codes, or the recovery codes) and end their sessions; the user is emailed. Needs `security:manage` on the user and a recent authentication.',
    args: { input: t.arg({ type: ResetUserFactorInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await resetUserFactor(commandContext(ctx), {
          userId: String(input.userId),
          kind: input.kind,
          factorId: input.factorId == null ? null : String(input.factorId),
        }),
      })),
  }),
}));
