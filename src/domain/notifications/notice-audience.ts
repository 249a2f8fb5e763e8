/**
 * Who hears about a notice, resolved after commit by the fan-out (fan-out-notices.ts), never inside the
 * command's transaction. Every query here is bounded: the capped default audience and the named people by
 * their caps, a role audience by one keyset page at a time.
 */
import { sql } from 'kysely';
import type { RoleKey } from '../../authz/roles.js';
import type { Tx } from '../../db/transaction.js';
import { isUuid } from '../shared/ids.js';

/**
 * The default audience, "who is responsible for that user", is capped so its cost never depends on the size
 * of the organisation: the managers of the user's departments and of their ancestors (nearest first), and
 * the organisation's longest-serving security officers. When the user has neither (a small organisation
 * without departments or security officers), its longest-serving owners.
 */
export const maxResponsibleManagers = 10;
export const maxResponsibleOfficers = 10;
export const maxFallbackOwners = 5;

/** What the fan-out needs of each recipient to render their message. */
export interface NoticePerson {
  id: string;
  email: string;
  locale: string | null;
  time_zone: string | null;
}

export interface FrozenAudience {
  responsible: boolean;
  roles: RoleKey[];
  userIds: string[];
}

const personColumns = ['users.id', 'users.email', 'users.locale', 'users.time_zone'] as const;

/**
 * The managers of every department the user belongs to (primary or not) and of those departments'
 * ancestors, nearest department first; archived departments do not count. Only active users.
 */
async function departmentManagers(trx: Tx, orgId: string, userId: string, exclude: string[]) {
  // The ancestors are the ids in the materialised path ('<root>/<child>/'): primary-key lookups, not a
  // prefix scan of the organisation's departments.
  const rows = await sql<NoticePerson & { depth: number }>`
    select u.id, u.email, u.locale, u.time_zone, max(d.depth) as depth
    from user_departments ud
    join departments own on own.org_id = ud.org_id and own.id = ud.department_id
    join departments d
      on d.org_id = ud.org_id
     and d.id = any(string_to_array(rtrim(own.path, '/'), '/')::uuid[])
     and d.archived_at is null
    join department_managers dm on dm.org_id = d.org_id and dm.department_id = d.id
    join users u on u.org_id = dm.org_id and u.id = dm.user_id and u.status = 'active'
    where ud.org_id = ${orgId} and ud.user_id = ${userId}
      and not (u.id = any(${exclude}::uuid[]))
    group by u.id, u.email, u.locale, u.time_zone
    order by max(d.depth) desc, u.id
    limit ${maxResponsibleManagers}`.execute(trx);
  return rows.rows.map(({ id, email, locale, time_zone }) => ({ id, email, locale, time_zone }));
}

/** The longest-serving active holders of a role (index users_org_role_created), at most `limit`. */
function firstHolders(trx: Tx, orgId: string, role: RoleKey, exclude: string[], limit: number) {
  return trx
    .selectFrom('users')
    .select(personColumns)
    .where('org_id', '=', orgId)
    .where('role', '=', role)
    .where('status', '=', 'active')
    .$if(exclude.length > 0, (q) => q.where('id', 'not in', exclude))
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The capped default audience of a user (see the caps above); the actor and the user are left out. */
export async function responsibleFor(
  trx: Tx,
  orgId: string,
  userId: string,
  exclude: string[],
): Promise<NoticePerson[]> {
  const managers = await departmentManagers(trx, orgId, userId, exclude);
  const officers = await firstHolders(trx, orgId, 'security_officer', exclude, maxResponsibleOfficers);
  if (managers.length + officers.length > 0) return [...managers, ...officers];
  return firstHolders(trx, orgId, 'owner', exclude, maxFallbackOwners);
}

/** The named people (at most 50 by the settings' validation) who are active users of this organisation. */
export async function namedPeople(trx: Tx, orgId: string, ids: readonly string[]): Promise<NoticePerson[]> {
  // Stale, foreign or malformed ids in the settings are skipped silently (validated when written).
  const valid = ids.filter(isUuid);
  if (valid.length === 0) return [];
  return trx
    .selectFrom('users')
    .select(personColumns)
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('id', 'in', valid)
    .execute();
}

export interface RoleCursor {
  at: string;
  id: string;
}

/** One keyset page of a role's active holders, in (created_at, id) order, after `after`. */
export async function roleHoldersPage(
  trx: Tx,
  orgId: string,
  role: RoleKey,
  after: RoleCursor | null,
  limit: number,
): Promise<{ people: NoticePerson[]; last: RoleCursor | null }> {
  const rows = await trx
    .selectFrom('users')
    // The position as PostgreSQL's own text (microseconds): a JavaScript Date would round it to
    // milliseconds, and the next page could then skip a row.
    .select([...personColumns, sql<string>`users.created_at::text`.as('at')])
    .where('org_id', '=', orgId)
    .where('role', '=', role)
    .where('status', '=', 'active')
    .$if(after !== null, (q) =>
      q.where((eb) =>
        eb(
          eb.refTuple('created_at', 'id'),
          '>',
          eb.tuple(sql<Date>`${after!.at}::timestamptz`, sql<string>`${after!.id}::uuid`),
        ),
      ),
    )
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  const tail = rows.at(-1);
  return {
    people: rows.map(({ id, email, locale, time_zone }) => ({ id, email, locale, time_zone })),
    last: tail ? { at: tail.at, id: tail.id } : null,
  };
}
