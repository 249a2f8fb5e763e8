import { z } from 'zod';
import type { UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { deleteRecoveryCodes, resetFactorsOf } from './factor-reset.js';

export const resetUserFactorsInput = z.object({ userId: z.string().max(64) }).strict();

/**
 * An administrator resets a person's second factors (a lost phone): every TOTP factor (confirmed or
 * pending), every recovery code, every passkey and every unfinished second-step challenge go, and every
 * session of the person ends; "reset all" leaves the person with their password alone. The authorization
 * (`security:manage`, the target-role rule, not oneself, step-up), the sessions, the audit event
 * (`user.mfa_reset`) and the email are `resetFactorsOf`'s. Resetting someone with no factors is allowed (it
 * still ends their sessions): the administrator acts on what they were told, not on what they may see.
 */
export async function resetUserFactors(
  ctx: CommandContext,
  raw: z.input<typeof resetUserFactorsInput>,
): Promise<UserRow> {
  return resetFactorsOf(
    ctx,
    { action: 'user.mfa_reset', change: 'factors_reset' },
    () => parseInput(resetUserFactorsInput, raw),
    async ({ trx }, user) => {
      const factors = await trx
        .deleteFrom('mfa_factors')
        .where('org_id', '=', user.org_id)
        .where('user_id', '=', user.id)
        .returning(['id', 'kind', 'confirmed_at'])
        .execute();
      const codes = await deleteRecoveryCodes(trx, user);
      const passkeys = await trx
        .deleteFrom('passkeys')
        .where('org_id', '=', user.org_id)
        .where('user_id', '=', user.id)
        .returning(['id', 'name'])
        .execute();
      return {
        changes: {
          factorsRemoved: factors.filter((f) => f.confirmed_at).map((f) => ({ id: f.id, kind: f.kind })),
          pendingRemoved: factors.filter((f) => !f.confirmed_at).length,
          recoveryCodesRemoved: codes,
          passkeysRemoved: passkeys.map((p) => ({ id: p.id, name: p.name })),
        },
      };
    },
  );
}
