import type { Actor } from '../domain/shared/context.js';
import { allPermissions, type Permission } from './permissions.js';
import { permissionsOf, type RoleKey } from './roles.js';

const allSet: ReadonlySet<Permission> = new Set(allPermissions);
const none: ReadonlySet<Permission> = new Set();

/**
 * What the actor holds organisation-wide by who it is (departments may add platform permissions on top,
 * `accessFor`). A personal token holds its owner's CURRENT role narrowed to the token's own list, and
 * nothing at all once the role lost `api:access`; a SCIM token holds what its scopes grant.
 */
export function actorPermissions(actor: Actor): ReadonlySet<Permission> {
  switch (actor.type) {
    case 'system':
      return allSet;
    case 'user':
      return permissionsOf(actor.role);
    case 'api_credential':
      return actor.permissions;
    case 'personal_token':
      return personalTokenPermissions(actor.role, actor.permissions);
  }
}

/** min(token, role): the token never holds more than its owner's role holds now. Pure. */
export function personalTokenPermissions(
  role: RoleKey,
  token: ReadonlySet<Permission> | null,
): ReadonlySet<Permission> {
  const held = permissionsOf(role);
  if (!held.has('api:access')) return none;
  if (token === null) return held;
  return new Set([...held].filter((p) => token.has(p)));
}

/**
 * The permissions that bound which roles the actor may grant (and, for a SCIM token, which users it may
 * act on): a user's role; a personal token's narrowed set, so a token cannot hand out a role holding a
 * permission it lacks itself; a SCIM token's `maxRole`. Null: no bound (the system).
 */
export function grantCeilingOf(actor: Actor): ReadonlySet<Permission> | null {
  if (actor.type === 'system') return null;
  if (actor.type === 'api_credential') return permissionsOf(actor.maxRole);
  return actorPermissions(actor);
}

/** Whether the actor may grant (or take away) `role`: it must hold every permission of it. */
export function actorMayGrantRole(actor: Actor, role: RoleKey): boolean {
  const ceiling = grantCeilingOf(actor);
  if (ceiling === null) return true;
  for (const p of permissionsOf(role)) if (!ceiling.has(p)) return false;
  return true;
}
