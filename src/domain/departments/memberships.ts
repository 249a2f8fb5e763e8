import type { Tx } from '../../db/transaction.js';

export interface Membership {
  departmentId: string;
  isPrimary: boolean;
}

/** The memberships a user should hold: the primary first, secondaries deduplicated and never the primary. Pure. */
export function membershipSet(primary: string | null, secondaries: readonly string[]): Membership[] {
  const out: Membership[] = primary ? [{ departmentId: primary, isPrimary: true }] : [];
  for (const id of new Set(secondaries)) if (id !== primary) out.push({ departmentId: id, isPrimary: false });
  return out;
}

const key = (m: Membership) => `${m.departmentId}:${m.isPrimary ? 'p' : 's'}`;

export async function membershipsOf(trx: Tx, orgId: string, userId: string): Promise<Membership[]> {
  const rows = await trx
    .selectFrom('user_departments')
    .select(['department_id', 'is_primary'])
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .orderBy('is_primary', 'desc')
    .orderBy('department_id')
    .execute();
  return rows.map((r) => ({ departmentId: r.department_id, isPrimary: r.is_primary }));
}

/**
 * Makes a user's memberships exactly `next`, closing the history interval of every membership that ends
 * and opening one for every membership that starts (a change of primary/secondary is both), so cost
 * reports can ask "who was where on date X". Removes before it adds, so the one-primary index holds
 * throughout. Returns the memberships before and after, and whether anything changed.
 */
export async function replaceMemberships(
  trx: Tx,
  orgId: string,
  userId: string,
  next: readonly Membership[],
  now: Date,
): Promise<{ from: Membership[]; to: Membership[]; changed: boolean }> {
  const current = await membershipsOf(trx, orgId, userId);
  const wanted = new Set(next.map(key));
  const held = new Set(current.map(key));
  const ended = current.filter((m) => !wanted.has(key(m)));
  const started = next.filter((m) => !held.has(key(m)));
  for (const m of ended) {
    await trx
      .deleteFrom('user_departments')
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .where('department_id', '=', m.departmentId)
      .execute();
    await trx
      .updateTable('user_department_history')
      .set({ valid_to: now })
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .where('department_id', '=', m.departmentId)
      .where('is_primary', '=', m.isPrimary)
      .where('valid_to', 'is', null)
      .execute();
  }
  if (started.length > 0) {
    const rows = started.map((m) => ({
      org_id: orgId,
      user_id: userId,
      department_id: m.departmentId,
      is_primary: m.isPrimary,
    }));
    await trx.insertInto('user_departments').values(rows).execute();
    await trx
      .insertInto('user_department_history')
      .values(rows.map((r) => ({ ...r, valid_from: now, valid_to: null })))
      .execute();
  }
  const primaryBefore = current.find((m) => m.isPrimary)?.departmentId ?? null;
  const primaryAfter = next.find((m) => m.isPrimary)?.departmentId ?? null;
  if (primaryBefore !== primaryAfter) {
    // The scoped check reads the primary department from the users row; the trigger users_seat_ledger
    // records the seat move at `now` (the instant the history intervals above end and start).
    await trx
      .updateTable('users')
      .set({ primary_department_id: primaryAfter, primary_department_changed_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .execute();
  }
  return { from: current, to: [...next], changed: ended.length + started.length > 0 };
}

/** The audit form of a membership list: `{ primary, secondary }`. Pure. */
export function membershipSummary(ms: readonly Membership[]): {
  primary: string | null;
  secondary: string[];
} {
  return {
    primary: ms.find((m) => m.isPrimary)?.departmentId ?? null,
    secondary: ms.filter((m) => !m.isPrimary).map((m) => m.departmentId),
  };
}
