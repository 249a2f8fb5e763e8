import { z } from 'zod';
import type { Permission } from '../../authz/permissions.js';

/** What a SCIM token may do. Each scope grants a fixed list of permissions (and nothing implies more). */
export const scimScopes = ['users', 'groups', 'role_mapping'] as const;
export type ScimScope = (typeof scimScopes)[number];

const scopePermissions: Record<ScimScope, readonly Permission[]> = {
  // provision users: create (an invitation-less activation is the SCIM layer's), edit, suspend/deactivate
  users: [
    'users:read',
    'users:invite',
    'users:update',
    'users:suspend',
    'users:reactivate',
    'users:deactivate',
    'users:revoke_sessions',
    'invitations:read',
    'invitations:revoke',
    'roles:read',
  ],
  // groups are departments; adding members is a change of the users' departments
  groups: ['departments:read', 'departments:manage', 'users:read', 'users:update'],
  // a group→role mapping changes roles, never above the token's maxRole
  role_mapping: ['users:read', 'users:change_role', 'roles:read'],
};

/** The permissions a set of scopes grants. Pure. */
export function permissionsOfScopes(scopes: readonly string[]): ReadonlySet<Permission> {
  const out = new Set<Permission>();
  for (const s of scopes) for (const p of scopePermissions[s as ScimScope] ?? []) out.add(p);
  return out;
}

/** Lifetimes, in days: a credential always expires. */
export const scimTokenLifetime = { defaultDays: 90, maxDays: 365 } as const;
export const personalTokenLifetime = { defaultDays: 30, maxDays: 365 } as const;
/** Live (unrevoked, unexpired) credentials at once: bounds every list. */
export const maxLiveScimTokens = 50;
export const maxLivePersonalTokens = 20;

export const credentialName = z
  .string()
  .trim()
  .min(1, 'Give the token a name.')
  .max(100, 'At most 100 characters.');

/** When a credential made `now` for `days` expires. Pure. */
export function expiryOf(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 86_400_000);
}

/** Whether a stored credential works at `now`. Pure. */
export function isCredentialLive(row: { revoked_at: Date | null; expires_at: Date }, now: Date): boolean {
  return row.revoked_at === null && row.expires_at.getTime() > now.getTime();
}
