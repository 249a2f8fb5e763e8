import { deactivateUser } from '../../../domain/users/deactivate-user.js';
import { reactivateUser } from '../../../domain/users/reactivate-user.js';
import { suspendUser } from '../../../domain/users/suspend-user.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { UserRef } from './user.js';
import { UserError, runMutation } from './user-error.js';

const UserPayload = builder.objectRef<{ user?: unknown; userErrors: unknown[] }>('UserPayload');
UserPayload.implement({
  description: 'The user after the change, or why it did not apply.',
  fields: (t) => ({
    user: t.field({ type: UserRef, nullable: true, resolve: (p) => (p.user ?? null) as never }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors as never }),
  }),
});
export { UserPayload };

const SuspendUserInput = builder.inputType('SuspendUserInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    reason: t.string({ required: true, description: 'Why; shown to the user and kept in the audit trail.' }),
    until: t.field({
      type: 'DateTime',
      description: 'Reinstated automatically at this time. Indefinite if absent.',
    }),
    expectedVersion: t.int({ description: 'Refuse if the user changed since this version.' }),
  }),
});

const ReactivateUserInput = builder.inputType('ReactivateUserInput', {
  fields: (t) => ({ userId: t.id({ required: true }), expectedVersion: t.int() }),
});

const DeactivateUserInput = builder.inputType('DeactivateUserInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    reason: t.string({ required: true }),
    expectedVersion: t.int(),
  }),
});

builder.mutationFields((t) => ({
  suspendUser: t.field({
    type: UserPayload,
    description: 'Suspend an active user with a reason and an optional end; their sessions end at once.',
    args: { input: t.arg({ type: SuspendUserInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await suspendUser(commandContext(ctx), {
          userId: String(input.userId),
          reason: input.reason,
          until: input.until ?? null,
          expectedVersion: input.expectedVersion ?? null,
        }),
      })),
  }),
  reactivateUser: t.field({
    type: UserPayload,
    description: 'End a suspension now.',
    args: { input: t.arg({ type: ReactivateUserInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await reactivateUser(commandContext(ctx), {
          userId: String(input.userId),
          expectedVersion: input.expectedVersion ?? null,
        }),
      })),
  }),
  deactivateUser: t.field({
    type: UserPayload,
    description: 'Deactivate a user permanently (data is kept); their sessions end at once.',
    args: { input: t.arg({ type: DeactivateUserInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await deactivateUser(commandContext(ctx), {
          userId: String(input.userId),
          reason: input.reason,
          expectedVersion: input.expectedVersion ?? null,
        }),
      })),
  }),
}));
