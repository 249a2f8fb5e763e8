import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import {
  hashRecoveryCode,
  newRecoveryCode,
  normalizeRecoveryCode,
  recoveryCodeRules,
} from './recovery-codes.js';

/** A new batch of recovery codes, replacing every earlier one (used or not). The codes are returned once. */
export async function replaceRecoveryCodes(
  trx: Tx,
  user: { org_id: string; id: string },
  now: Date,
): Promise<string[]> {
  await trx
    .deleteFrom('mfa_recovery_codes')
    .where('org_id', '=', user.org_id)
    .where('user_id', '=', user.id)
    .execute();
  const codes = Array.from({ length: recoveryCodeRules.count }, newRecoveryCode);
  await trx
    .insertInto('mfa_recovery_codes')
    .values(
      codes.map((c) => ({
        org_id: user.org_id,
        user_id: user.id,
        code_hash: hashRecoveryCode(user.id, c),
        created_at: now,
      })),
    )
    .execute();
  return codes;
}

/** Uses a recovery code: one conditional UPDATE (unused), so a code works once under any concurrency. */
export async function spendRecoveryCode(
  db: Kysely<DB> | Tx,
  user: { org_id: string; id: string },
  code: string,
  now: Date,
): Promise<boolean> {
  // 16 base32 characters; anything else cannot be a code (and is not worth a query).
  if (!/^[a-z2-7]{16}$/.test(normalizeRecoveryCode(code))) return false;
  const used = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: now })
    .where('org_id', '=', user.org_id)
    .where('user_id', '=', user.id)
    .where('code_hash', '=', hashRecoveryCode(user.id, code))
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return used !== undefined;
}
