import { mayActOn, mayActOnRole } from '../../authz/access.js';
import { accessOf, targetUserOf } from '../../authz/load-access.js';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { DepartmentRow, UserRow } from '../../db/schema.js';
import type { CommandContext } from '../shared/context.js';
import { getUser } from '../users/get-user.js';
import {
  compareEffectivePermissions,
  effectivePermissions,
  type EffectivePermission,
  type EffectiveRoleChange,
} from './effective-permissions.js';
import { loadEffectivePermissionFacts } from './load-effective-permissions.js';
import { actorMayGrantRole } from '../../authz/actor-permissions.js';
import { actorUserId } from '../shared/context.js';

/**
 * What a user may do, each permission with its scope and sources (role, department, manager). Readable
 * like the user (`getUser`): by themself, by org-wide `users:read`, or by a manager holding `users:read`
 * over the user's primary department; another organisation's user is NOT_FOUND.
 */
export async function userEffectivePermissions(
  ctx: CommandContext,
  userId: string,
): Promise<EffectivePermission<DepartmentRow>[]> {
  const user = await getUser(ctx, userId);
  return effectivePermissions(await loadEffectivePermissionFacts(ctx.db, user));
}

export interface RoleChangePreview extends EffectiveRoleChange<DepartmentRow> {
  user: UserRow;
  /** The user's current role; null when the stored role is not a known one. */
  from: RoleKey | null;
  to: RoleKey;
  viewerMayChange: boolean;
}

/**
 * The user's effective permissions now and with `role` instead of the current role, departments and managed
 * departments unchanged: what they would gain, lose and keep, and why. A permission the new role lacks but a
 * department still gives is kept, with that department as its source.
 */
export async function previewRoleChange(
  ctx: CommandContext,
  userId: string,
  role: RoleKey,
): Promise<RoleChangePreview> {
  const user = await getUser(ctx, userId);
  const facts = await loadEffectivePermissionFacts(ctx.db, user);
  const change = compareEffectivePermissions(
    effectivePermissions(facts),
    effectivePermissions({ ...facts, role }),
  );
  const from = isRoleKey(user.role) ? user.role : null;
  return { ...change, user, from, to: role, viewerMayChange: await mayChangeRole(ctx, user, from, role) };
}

/**
 * Whether `changeUserRole` would let the actor make this change: `users:change_role` reaching the user,
 * both roles grantable by the actor's role, not the actor itself, a real change of a user not deactivated.
 * (The last-owner rule is checked by the command itself.)
 */
async function mayChangeRole(
  ctx: CommandContext,
  user: UserRow,
  from: RoleKey | null,
  to: RoleKey,
): Promise<boolean> {
  const actor = ctx.actor;
  if (from === null || from === to || user.status === 'deactivated') return false;
  if (actorUserId(actor) === user.id) return false;
  if (!actorMayGrantRole(actor, from) || !actorMayGrantRole(actor, to)) return false;
  const access = await accessOf(ctx);
  if (access.orgWide.has('users:change_role')) return mayActOnRole(access, user.role);
  return mayActOn(access, 'users:change_role', await targetUserOf(ctx.db, user), 'write');
}
