import type { Tx } from '../../db/transaction.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/** What `active: false` from an identity provider does to a user (organisation setting `scimDeactivation`). */
export const scimDeactivationModes = ['suspend', 'deactivate'] as const;
export type ScimDeactivation = (typeof scimDeactivationModes)[number];

export interface ProvisioningSettings {
  /** A user an identity provider creates is invited (and activates by accepting) instead of active at once. */
  scimCreatesInvitations: boolean;
  /**
   * `suspend` (the default): reversible — identity providers disable a person and later enable them again
   * (`active: true`), and a deactivation in Roster is final. `deactivate`: for organisations that want a
   * disabled account closed for good.
   */
  scimDeactivation: ScimDeactivation;
}

/** The provisioning settings from the organisation's settings, the defaults when absent or unknown. Pure. */
export function provisioningSettingsOf(settings: Record<string, unknown>): ProvisioningSettings {
  return {
    scimCreatesInvitations: settings.scimCreatesInvitations === true,
    scimDeactivation: settings.scimDeactivation === 'deactivate' ? 'deactivate' : 'suspend',
  };
}

export async function loadProvisioningSettings(
  db: Tx | Kysely<DB>,
  orgId: string,
): Promise<ProvisioningSettings> {
  const org = await db
    .selectFrom('organizations')
    .select('settings')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  return provisioningSettingsOf(org.settings);
}
