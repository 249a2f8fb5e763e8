import type { Permission } from './permissions.js';
import { permissionsOf, type RoleKey } from './roles.js';

/**
 * The permissions that make a role privileged: whoever holds one controls the organisation's security
 * (lockouts, policies, factors), its settings (session and password rules, the re-authentication window),
 * or who owns it. The rule reads permissions, never role names, so a role that gains one of these becomes
 * privileged without a change here. `users:change_role` is not among them: it is capped by `canGrantRole`
 * (a user manager can only grant roles no wider than its own), so it cannot make anyone privileged.
 *
 * Privileged roles get shorter session lifetimes (session-policy.ts), and moving a user into or out of
 * one is a sensitive action that needs a recent authentication (step-up).
 */
export const privilegedPermissions: readonly Permission[] = [
  'security:manage',
  'organization:update',
  'organization:manage_ownership',
];

/** Whether a role holds any privileged permission. Pure. */
export function isPrivilegedRole(role: RoleKey): boolean {
  const held = permissionsOf(role);
  return privilegedPermissions.some((p) => held.has(p));
}
