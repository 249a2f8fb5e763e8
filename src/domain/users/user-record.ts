import { sql } from 'kysely';
import type { Tx } from '../../db/transaction.js';
import type { UserRow } from '../../db/schema.js';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import { primaryDepartmentPath, withPrimaryPath } from '../../authz/load-access.js';
import { DomainError } from '../errors.js';
import { isUuid } from '../shared/ids.js';
import type { StatusState, UserStatus } from './user-status.js';

/**
 * Loads a user of the organisation with a row lock, for a change. Another organisation's user, a
 * malformed id and a missing user all answer NOT_FOUND alike.
 */
export async function lockUser(trx: Tx, orgId: string, userId: string): Promise<UserRow> {
  if (!isUuid(userId)) throw new DomainError('NOT_FOUND');
  // With the primary department's path in the same read: a department manager's scope check then needs
  // no second query (`targetUserOf`). The lock covers the users row only, and is NO KEY UPDATE: ids never
  // change, so rows inserted for the user (sessions, memberships) need not wait on the foreign key.
  const user = await trx
    .selectFrom('users')
    .selectAll()
    .select(primaryDepartmentPath)
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .forNoKeyUpdate(['users'])
    .executeTakeFirst();
  if (!user) throw new DomainError('NOT_FOUND');
  return withPrimaryPath(user);
}

export { checkVersion } from '../shared/check-version.js';

export function statusState(user: UserRow): StatusState {
  return {
    status: user.status as UserStatus,
    statusReason: user.status_reason,
    suspendedUntil: user.suspended_until,
  };
}

export function roleOf(user: UserRow): RoleKey {
  if (!isRoleKey(user.role)) throw new Error(`user ${user.id} has an unknown role`);
  return user.role;
}

/**
 * Refuses a change that would leave the organisation without an active owner. Two concurrent demotions of
 * the last two owners must not both pass: they queue on a per-organisation advisory lock (taken after the
 * target's row, held to commit), and each then counts the owners afresh (READ COMMITTED: a statement sees
 * what the one before it committed). Locking the other owners' rows instead would deadlock: each demotion
 * already holds its own target's row and would wait for the other's.
 */
export async function guardLastOwner(trx: Tx, user: UserRow): Promise<void> {
  if (user.role !== 'owner' || user.status !== 'active') return;
  await sql`select pg_advisory_xact_lock(hashtext('roster_owners'), hashtext(${user.org_id}))`.execute(trx);
  const owners = await trx
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', user.org_id)
    .where('role', '=', 'owner')
    .where('status', '=', 'active')
    .execute();
  if (owners.filter((o) => o.id !== user.id).length === 0) throw new DomainError('LAST_OWNER');
}

/** Lower-cased, trimmed email: the form uniqueness and sign-in compare. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** The text that search and name sorting use. */
export function searchTextOf(displayName: string, email: string): string {
  return `${displayName} ${email}`.trim().toLowerCase();
}

export const bumpVersion = sql<number>`version + 1`;
