import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { resolveSecretKey } from '../keys/secret-key.js';
import type { MfaFactorRow } from './factors.js';
import { openFactorSecret } from './secret-seal.js';
import { matchTotpStep } from './totp.js';

/**
 * Checks a code against a factor and spends its time step: ONE conditional UPDATE moves `last_used_step`
 * forward only from below, so the code — and any code of an earlier step — is accepted once, however many
 * submissions race (PostgreSQL re-checks the WHERE on the newest row version after waiting for a
 * concurrent writer). Returns whether the code was accepted. `pendingOk` lets the enrolment's first code
 * spend a factor that is not yet confirmed.
 */
export async function spendTotpCode(
  db: Kysely<DB> | Tx,
  config: Pick<Config, 'secretKey' | 'dataDir'>,
  factor: Pick<MfaFactorRow, 'id' | 'org_id' | 'secret_sealed' | 'last_used_step'>,
  code: string,
  now: Date,
  opts: { pendingOk?: boolean } = {},
): Promise<boolean> {
  const secret = openFactorSecret(await resolveSecretKey(config), factor.id, factor.secret_sealed);
  const step = matchTotpStep({ secret, code, at: now.getTime() });
  if (step === null) return false;
  // Cheap early answer for a replay seen in the row we read; the UPDATE below is what decides.
  if (factor.last_used_step !== null && factor.last_used_step >= step) return false;
  let q = db
    .updateTable('mfa_factors')
    .set({ last_used_step: step, last_used_at: now })
    .where('org_id', '=', factor.org_id)
    .where('id', '=', factor.id)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]));
  if (!opts.pendingOk) q = q.where('confirmed_at', 'is not', null);
  const spent = await q.returning('id').executeTakeFirst();
  return spent !== undefined;
}
