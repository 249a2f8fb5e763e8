import { can } from '../../../authz/authorize.js';
import { hardLockUntil, isLocked, throttleRules } from '../../../domain/security/sign-in-throttle.js';
import { unlockUser } from '../../../domain/security/unlock-user.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { UserPayload } from './lifecycle-mutations.js';
import { UserRef } from './user.js';
import { runMutation } from './user-error.js';

const SignInLockRef = builder
  .objectRef<{
    failedAttempts: number;
    lockedUntil: Date | null;
    locked: boolean;
    lastFailureAt: Date | null;
  }>('SignInLock')
  .implement({
    description: 'Failed sign-in attempts of the account and its lockout, if any.',
    fields: (t) => ({
      failedAttempts: t.exposeInt('failedAttempts', {
        description: 'Consecutive failures since the last success.',
      }),
      locked: t.exposeBoolean('locked'),
      lockedUntil: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'Year 9999 means locked until an administrator unlocks it.',
        resolve: (l) => l.lockedUntil,
      }),
      untilUnlocked: t.boolean({
        description: `The hard lock after ${throttleRules.hardLockAfter} consecutive failures: only an administrator lifts it.`,
        resolve: (l) => l.locked && l.lockedUntil?.getTime() === hardLockUntil.getTime(),
      }),
      lastFailureAt: t.field({
        type: 'DateTime',
        nullable: true,
        description:
          'The latest counted failure: when a current lockout began (attempts on a locked account are not counted). Null if none recorded.',
        resolve: (l) => l.lastFailureAt,
      }),
    }),
  });

builder.objectField(UserRef, 'signInLock', (t) =>
  t.field({
    type: SignInLockRef,
    nullable: true,
    description: 'Failed sign-ins and lockout. Null unless the viewer holds `security:manage`.',
    resolve: (u, _a, ctx) => {
      if (!ctx.actor || !can(ctx.actor, 'security:manage')) return null;
      const now = ctx.services.clock.now();
      return {
        failedAttempts: u.failed_login_count,
        lockedUntil: u.locked_until,
        locked: isLocked(u.locked_until, now),
        lastFailureAt: u.last_failed_login_at,
      };
    },
  }),
);

const UnlockUserInput = builder.inputType('UnlockUserInput', {
  fields: (t) => ({ userId: t.id({ required: true }) }),
});

builder.mutationField('unlockUser', (t) =>
  t.field({
    type: UserPayload,
    description:
      'Lift a sign-in lockout (including the hard lock after 100 failures). Needs `security:manage`.',
    args: { input: t.arg({ type: UnlockUserInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await unlockUser(commandContext(ctx), { userId: String(input.userId) }),
      })),
  }),
);
