import type { Kysely } from 'kysely';
import { accessOf } from '../../authz/load-access.js';
import type { DB, UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { allowedUserActions, type UserActions } from './user-policy.js';

/**
 * What the viewer may do to each of these users (`allowedUserActions`), for a whole page at once: the
 * viewer's access is loaded once per request, and the primary departments' paths in one query — only when
 * the viewer manages some department (for everyone else the answer does not depend on where users sit).
 */
export async function userActionsOf(ctx: CommandContext, users: readonly UserRow[]): Promise<UserActions[]> {
  const access = await accessOf(ctx);
  const paths =
    access.managed.length > 0
      ? await primaryPathsOf(ctx.db, ctx.actor.orgId, users)
      : new Map<string, string>();
  return users.map((u) =>
    allowedUserActions(
      access,
      u,
      u.primary_department_id ? (paths.get(u.primary_department_id) ?? null) : null,
    ),
  );
}

/** The paths of the users' primary departments (of the organisation), by department id: one query. */
export async function primaryPathsOf(
  db: Kysely<DB>,
  orgId: string,
  users: readonly Pick<UserRow, 'org_id' | 'primary_department_id'>[],
): Promise<Map<string, string>> {
  const ids = [
    ...new Set(
      users.flatMap((u) => (u.org_id === orgId && u.primary_department_id ? [u.primary_department_id] : [])),
    ),
  ];
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('departments')
    .select(['id', 'path'])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.path]));
}
