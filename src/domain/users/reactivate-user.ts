import { z } from 'zod';
import { authorizeAnywhere } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { applyLifecycleEvent } from './apply-lifecycle-event.js';

export const reactivateUserInput = z
  .object({ userId: z.string().max(64), expectedVersion: z.number().int().nullish() })
  .strict();

/** Ends a suspension before its time. */
export async function reactivateUser(
  ctx: CommandContext,
  raw: z.input<typeof reactivateUserInput>,
): Promise<UserRow> {
  await authorizeAnywhere(ctx, 'users:reactivate');
  const input = parseInput(reactivateUserInput, raw);
  return applyLifecycleEvent(
    ctx,
    input.userId,
    { type: 'reactivate' },
    { expectedVersion: input.expectedVersion, permission: 'users:reactivate' },
  );
}
