import { z } from 'zod';
import { authorizeAnywhere } from '../../authz/load-access.js';
import type { UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { applyLifecycleEvent } from './apply-lifecycle-event.js';

export const suspendUserInput = z
  .object({
    userId: z.string().max(64),
    reason: z.string().max(2000),
    /** When the suspension ends by itself; indefinite when absent. */
    until: z.coerce.date().nullish(),
    expectedVersion: z.number().int().nullish(),
  })
  .strict();

/** Suspends an active user: reason required, optional end, sessions revoked at once. */
export async function suspendUser(
  ctx: CommandContext,
  raw: z.input<typeof suspendUserInput>,
): Promise<UserRow> {
  await authorizeAnywhere(ctx, 'users:suspend');
  const input = parseInput(suspendUserInput, raw);
  return applyLifecycleEvent(
    ctx,
    input.userId,
    { type: 'suspend', reason: input.reason, until: input.until ?? null },
    { expectedVersion: input.expectedVersion, refuseSelf: true, permission: 'users:suspend' },
  );
}
