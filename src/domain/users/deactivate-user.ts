import { z } from 'zod';
import { authorizeAnywhere } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { applyLifecycleEvent } from './apply-lifecycle-event.js';

export const deactivateUserInput = z
  .object({
    userId: z.string().max(64),
    reason: z.string().max(2000),
    expectedVersion: z.number().int().nullish(),
  })
  .strict();

/**
 * Deactivates a user for good: the record and its history stay, sign-in and sessions end. A sensitive
 * action: the actor's session must have authenticated recently (step-up).
 */
export async function deactivateUser(
  ctx: CommandContext,
  raw: z.input<typeof deactivateUserInput>,
): Promise<UserRow> {
  await authorizeAnywhere(ctx, 'users:deactivate');
  const input = parseInput(deactivateUserInput, raw);
  return applyLifecycleEvent(
    ctx,
    input.userId,
    { type: 'deactivate', reason: input.reason },
    {
      expectedVersion: input.expectedVersion,
      refuseSelf: true,
      permission: 'users:deactivate',
      recentAuthentication: true,
    },
  );
}
