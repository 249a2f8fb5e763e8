import type { InvitationRow } from '../../db/schema.js';
import type { Tx } from '../../db/transaction.js';
import { defaultInvitationTtlDays, maxInvitationTtlDays } from './invitation-link.js';

export const invitationStatuses = ['pending', 'accepted', 'expired', 'revoked', 'superseded'] as const;
export type InvitationStatus = (typeof invitationStatuses)[number];

const dayMs = 86_400_000;

/**
 * The status a reader should see. A pending invitation whose time is up is expired even though no job has
 * rewritten its row yet: expiry is decided by time, not by a sweeper having run. Pure.
 */
export function effectiveInvitationStatus(
  inv: Pick<InvitationRow, 'status' | 'expires_at'>,
  now: Date,
): InvitationStatus {
  if (inv.status === 'pending' && inv.expires_at.getTime() <= now.getTime()) return 'expired';
  return inv.status as InvitationStatus;
}

/** Seconds from sending to acceptance, for onboarding analytics; null while not accepted. Pure. */
export function timeToAcceptSeconds(inv: Pick<InvitationRow, 'created_at' | 'accepted_at'>): number | null {
  if (!inv.accepted_at) return null;
  return Math.round((inv.accepted_at.getTime() - inv.created_at.getTime()) / 1000);
}

/**
 * The organisation's default invitation lifetime from its settings: a whole number of days in 1..90,
 * the product default (7) when absent or out of bounds. Pure.
 */
export function invitationTtlDaysOf(settings: Record<string, unknown>): number {
  const v = settings.invitationTtlDays;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= maxInvitationTtlDays) return v;
  return defaultInvitationTtlDays;
}

export function invitationExpiry(now: Date, days: number): Date {
  return new Date(now.getTime() + days * dayMs);
}

/** Reads the organisation's invitation lifetime inside the caller's transaction. */
export async function loadInvitationTtlDays(trx: Tx, orgId: string): Promise<number> {
  const org = await trx
    .selectFrom('organizations')
    .select('settings')
    .where('id', '=', orgId)
    .executeTakeFirstOrThrow();
  return invitationTtlDaysOf(org.settings);
}
