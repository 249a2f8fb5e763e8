import type { Actor } from '../domain/shared/context.js';
import { allPermissions, type Permission } from './permissions.js';
import { isRoleKey, permissionsOf, type RoleKey } from './roles.js';
import { actorMayGrantRole, actorPermissions } from './actor-permissions.js';

/**
 * Scoped administration (docs/decisions/0004). A permission is held either for the whole organisation
 * (from the role) or over a department subtree (as a manager of that department). Everything here is pure:
 * the caller loads the actor's managed departments once per request (`load-access.ts`) and the target's
 * primary department path with the target row.
 */

/** What a department's managers may be given over its subtree: user administration, nothing wider. */
export const managerPermissionChoices = [
  'users:read',
  'users:invite',
  'users:update',
  'users:suspend',
  'users:reactivate',
  'users:deactivate',
  'users:change_role',
  'users:revoke_sessions',
  'invitations:read',
  'invitations:resend',
  'invitations:revoke',
  'sessions:read',
  'departments:read',
] as const satisfies readonly Permission[];

/** The managers' set when the department does not name one: view, invite, suspend/reactivate, change role. */
export const defaultManagerPermissions = [
  'users:read',
  'users:invite',
  'users:suspend',
  'users:reactivate',
  'users:change_role',
  'invitations:read',
  'invitations:resend',
  'invitations:revoke',
  'departments:read',
] as const satisfies readonly Permission[];

/** Resources whose permissions a department may add for its members: the platform, never administration. */
export const departmentPermissionResources = ['investigations', 'documents', 'reports', 'api'] as const;
export const departmentPermissionChoices: readonly Permission[] = allPermissions.filter((p) =>
  (departmentPermissionResources as readonly string[]).includes(p.split(':')[0] ?? ''),
);

/** One department the actor manages, with what managing it allows over its subtree. */
export interface ManagedScope {
  departmentId: string;
  departmentName: string;
  /** Materialised path of the managed department: its subtree is every path starting with it. */
  path: string;
  permissions: ReadonlySet<Permission>;
}

/** Everything an authorization decision needs about the actor. */
export interface Access {
  actor: Actor;
  /**
   * Permissions held everywhere in the organisation: the role's, plus the platform permissions the actor's
   * departments add (the system actor holds all). Which roles the actor may grant is decided by its role
   * alone (`canGrantRole(actor.role, …)`): a right that comes from where you sit is not yours to hand out.
   */
  orgWide: ReadonlySet<Permission>;
  /** Departments the actor manages (live ones only). Empty for most users. */
  managed: readonly ManagedScope[];
  /**
   * What ranks the actor against a target's role (`mayActOnRole`) when it is not `orgWide`: a SCIM token
   * holds only its scopes, yet may act on users of roles up to its `maxRole`.
   */
  ranks?: ReadonlySet<Permission>;
}

/** Where a target user sits, as far as authorization cares. */
export interface TargetUser {
  id: string;
  role: string;
  /** Path of the user's primary department; null when the user has none (then only org-wide rights reach them). */
  primaryPath: string | null;
}

/** Reading a user, or changing them. A change through manager scope is also capped by the target's role. */
export type AccessKind = 'read' | 'write';

const allSet: ReadonlySet<Permission> = new Set(allPermissions);

export function accessFor(
  actor: Actor,
  managed: readonly ManagedScope[] = [],
  departmentAdded: readonly Permission[] = [],
): Access {
  if (actor.type === 'system') return { actor, orgWide: allSet, managed: [] };
  // A SCIM token sits in no department: its scopes are all it holds, its rank is its maxRole's.
  if (actor.type === 'api_credential') {
    return { actor, orgWide: actor.permissions, managed: [], ranks: permissionsOf(actor.maxRole) };
  }
  const role = actorPermissions(actor);
  // A personal token's own list narrows what departments add, and what its owner manages, too.
  const limit = actor.type === 'personal_token' ? actor.permissions : null;
  const added = limit === null ? departmentAdded : departmentAdded.filter((p) => limit.has(p));
  const scopes =
    limit === null
      ? managed
      : managed.map((s) => ({ ...s, permissions: new Set([...s.permissions].filter((p) => limit.has(p))) }));
  const orgWide = added.some((p) => !role.has(p)) ? new Set([...role, ...added]) : role;
  return { actor, orgWide, managed: scopes };
}

/**
 * Placing a user in a department (or taking them out) hands them (or takes away) the platform permissions
 * that department adds: the actor must hold each of them. Returns the ones it lacks. Pure.
 */
export function missingForPlacement(access: Access, departmentAdded: Iterable<Permission>): Permission[] {
  return [...new Set(departmentAdded)].filter((p) => !access.orgWide.has(p));
}

/** The manager permission set a department stores, or the default (unknown names are ignored). Pure. */
export function managerPermissionsOf(stored: readonly string[] | null): ReadonlySet<Permission> {
  if (stored === null) return new Set(defaultManagerPermissions);
  const allowed = new Set<string>(managerPermissionChoices);
  return new Set(stored.filter((p): p is Permission => allowed.has(p)));
}

/** Whether the actor holds the permission anywhere: for the organisation or over some subtree. */
export function holdsAnywhere(access: Access, permission: Permission): boolean {
  return access.orgWide.has(permission) || access.managed.some((s) => s.permissions.has(permission));
}

/**
 * Where the permission reaches: the whole organisation, or the listed subtree paths (possibly none).
 * Lists and counts narrow to these paths.
 */
export function reachOf(access: Access, permission: Permission): 'organization' | string[] {
  if (access.orgWide.has(permission)) return 'organization';
  return access.managed.filter((s) => s.permissions.has(permission)).map((s) => s.path);
}

/** Whether a department (by path) lies in the reach of the permission. */
export function reachesDepartment(access: Access, permission: Permission, path: string): boolean {
  const reach = reachOf(access, permission);
  return reach === 'organization' || reach.some((p) => path.startsWith(p));
}

/**
 * The permissions that rank a role (docs/decisions/0006): every permission except the platform ones a
 * department may add for any member (investigations, documents, reports, api). Those are about doing the
 * work, give no say over anyone, and are handed to any member by a department; counting them would leave a
 * Security Officer unable to suspend a Viewer (who reads reports), which is the Security Officer's job.
 */
export const rankingPermissions: readonly Permission[] = allPermissions.filter(
  (p) => !departmentPermissionChoices.includes(p),
);

/**
 * Whether the actor may act on (write to) a user of this role at all, whatever its reach: the role must
 * hold no ranking permission the actor lacks org-wide. Only owners hold organization:manage_ownership, so
 * owners are acted on only by owners. The target's ROLE is compared, not its effective permissions: a
 * department never adds a ranking permission, and a manager's scoped rights are narrower than the role's
 * org-wide ones it was given by a departments:manage holder. An unknown role is refused (fail closed). Pure.
 */
export function mayActOnRole(access: Access, role: string): boolean {
  if (access.actor.type === 'system') return true;
  if (!isRoleKey(role)) return false;
  const theirs = permissionsOf(role);
  const mine = access.ranks ?? access.orgWide;
  return rankingPermissions.every((p) => !theirs.has(p) || mine.has(p));
}

/**
 * Whether the actor may use `permission` on `target`. A write first needs the target's role to rank no
 * higher than the actor (`mayActOnRole`), for every actor: organisation-wide reach included. Org-wide
 * holders then may (the commands' own rules still apply). Through manager scope: the target's PRIMARY
 * department must be in a managed subtree that carries the permission (a secondary membership never brings
 * a user under someone's administration), and a write also needs the target's role to be one the actor's
 * role could grant (the stricter cap of decision 0004, kept), so a team manager cannot suspend or re-role
 * the organisation's administrator who happens to sit in the team.
 */
export function mayActOn(
  access: Access,
  permission: Permission,
  target: TargetUser,
  kind: AccessKind,
): boolean {
  if (kind === 'write' && !mayActOnRole(access, target.role)) return false;
  if (access.orgWide.has(permission)) return true;
  const actor = access.actor;
  if ((actor.type !== 'user' && actor.type !== 'personal_token') || target.primaryPath === null) return false;
  const inScope = access.managed.some(
    (s) => s.permissions.has(permission) && target.primaryPath!.startsWith(s.path),
  );
  if (!inScope) return false;
  if (kind === 'read') return true;
  return isRoleKey(target.role) && actorMayGrantRole(actor, target.role as RoleKey);
}
