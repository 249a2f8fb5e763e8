import { z } from 'zod';
import type { UserRow } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { DomainError } from '../errors.js';
import type { CommandContext } from '../shared/context.js';
import { isUuid } from '../shared/ids.js';
import { parseInput } from '../shared/parse-input.js';
import { deleteRecoveryCodes, resetFactorsOf, type FactorsRemoved } from './factor-reset.js';
import { userFactorKinds, type UserFactorKind } from './list-user-factors.js';

/** Which factor: a passkey or the authenticator app by id (from `listUserFactors`); the recovery codes by kind. */
export const resetUserFactorInput = z
  .object({
    userId: z.string().max(64),
    kind: z.enum(userFactorKinds),
    factorId: z.string().max(64).nullish(),
  })
  .strict()
  .refine((i) => (i.kind === 'recovery_codes') === (i.factorId == null), {
    message: 'a passkey or an authenticator app is named by its id; the recovery codes by their kind alone',
    path: ['factorId'],
  });

/**
 * An administrator removes ONE of a person's factors: one passkey, the authenticator app (with the
 * recovery codes that back it up: without the app they open nothing, as when the person removes it
 * themself), or the recovery codes alone (the person makes new ones on "My security"). Everything else
 * stays. The frame — `security:manage`, the target-role rule, not oneself, step-up, the sessions ending,
 * the audit event `user.mfa_factor_reset` naming the factor, the `mfa_changed` email — is `resetFactorsOf`,
 * shared with "reset all". A factor the person does not have (another person's, removed meanwhile) is
 * NOT_FOUND and changes nothing; recovery codes are reset even when none are left (like "reset all").
 */
export async function resetUserFactor(
  ctx: CommandContext,
  raw: z.input<typeof resetUserFactorInput>,
): Promise<UserRow> {
  return resetFactorsOf(
    ctx,
    { action: 'user.mfa_factor_reset', change: 'factor_reset' },
    () => parseInput(resetUserFactorInput, raw),
    ({ trx }, user, input) => removers[input.kind](trx, user, input.factorId ?? ''),
  );
}

type Remover = (trx: Tx, user: UserRow, id: string) => Promise<FactorsRemoved>;

const removers: Record<UserFactorKind, Remover> = {
  passkey: async (trx, user, id) => {
    if (!isUuid(id)) throw new DomainError('NOT_FOUND');
    const p = await trx
      .deleteFrom('passkeys')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .where('id', '=', id)
      .returning(['id', 'name', 'aaguid'])
      .executeTakeFirst();
    if (!p) throw new DomainError('NOT_FOUND');
    return {
      changes: { kind: 'passkey', passkeyId: p.id, name: p.name, aaguid: p.aaguid },
      factor: `the passkey “${p.name}”`,
    };
  },
  authenticator_app: async (trx, user, id) => {
    if (!isUuid(id)) throw new DomainError('NOT_FOUND');
    const f = await trx
      .deleteFrom('mfa_factors')
      .where('org_id', '=', user.org_id)
      .where('user_id', '=', user.id)
      .where('id', '=', id)
      .where('kind', '=', 'totp')
      .where('confirmed_at', 'is not', null)
      .returning(['id', 'name'])
      .executeTakeFirst();
    if (!f) throw new DomainError('NOT_FOUND');
    const codes = await deleteRecoveryCodes(trx, user);
    return {
      changes: { kind: 'authenticator_app', factorId: f.id, name: f.name, recoveryCodesRemoved: codes },
      factor: `the authenticator app “${f.name}” and the recovery codes`,
    };
  },
  recovery_codes: async (trx, user) => {
    const codes = await deleteRecoveryCodes(trx, user);
    return { changes: { kind: 'recovery_codes', recoveryCodesRemoved: codes }, factor: 'the recovery codes' };
  },
};
