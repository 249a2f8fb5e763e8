import { allPermissions, type Permission } from './permissions.js';

/**
 * The predefined roles. Each lists its permissions explicitly; owner holds all of them. A role can be
 * granted only by an actor holding every permission of that role (see `canGrantRole`).
 */
const readPlatform: Permission[] = ['investigations:read', 'documents:read', 'reports:read'];
const userAdministration: Permission[] = [
  'users:read',
  'users:invite',
  'users:update',
  'users:suspend',
  'users:reactivate',
  'users:change_role',
  'users:revoke_sessions',
  'invitations:read',
  'invitations:resend',
  'invitations:revoke',
  'roles:read',
  'sessions:read',
  'departments:read',
];

export const roleDefinitions = {
  owner: {
    name: 'Owner',
    description: 'Full control of the organisation, including who else owns it.',
    permissions: [...allPermissions],
  },
  administrator: {
    name: 'Administrator',
    description: 'Administers users, settings and security; cannot grant or remove ownership.',
    permissions: allPermissions.filter((p) => p !== 'organization:manage_ownership'),
  },
  user_manager: {
    name: 'User Manager',
    description: 'Invites and manages users day to day; can grant roles no wider than its own.',
    permissions: [...userAdministration, 'organization:read', ...readPlatform],
  },
  security_officer: {
    name: 'Security Officer',
    description: 'Responds to incidents: suspends, deactivates, revokes sessions, reads the audit trail.',
    permissions: [
      'users:read',
      'users:suspend',
      'users:reactivate',
      'users:deactivate',
      'users:revoke_sessions',
      'invitations:read',
      'invitations:revoke',
      'roles:read',
      'departments:read',
      'sessions:read',
      'audit:read',
      'audit:export',
      'audit:verify',
      'organization:read',
      'security:manage',
    ],
  },
  auditor: {
    name: 'Auditor',
    description: 'Read-only access to users, roles and the audit trail for reviews.',
    permissions: [
      'users:read',
      'invitations:read',
      'roles:read',
      'departments:read',
      'sessions:read',
      'audit:read',
      'audit:export',
      'audit:verify',
      'organization:read',
    ],
  },
  finance: {
    name: 'Finance',
    description: 'Sees the department tree, seats and cost per department and cost centre.',
    permissions: ['departments:read', 'costs:read', 'organization:read', 'roles:read'],
  },
  investigator: {
    name: 'Investigator',
    description: 'Runs investigations and works with their documents and reports.',
    permissions: [
      'investigations:read',
      'investigations:create',
      'investigations:update',
      'investigations:export',
      'documents:read',
      'documents:create',
      'documents:update',
      'reports:read',
      'reports:create',
      'api:access',
    ],
  },
  analyst: {
    name: 'Analyst',
    description: 'Reads investigations and documents, builds and exports reports.',
    permissions: [...readPlatform, 'reports:create', 'reports:export'],
  },
  viewer: {
    name: 'Viewer',
    description: 'Reads investigations, documents and reports.',
    permissions: [...readPlatform],
  },
} as const satisfies Record<
  string,
  { name: string; description: string; permissions: readonly Permission[] }
>;

export type RoleKey = keyof typeof roleDefinitions;
export const roleKeys = Object.keys(roleDefinitions) as RoleKey[];

const permissionSets = new Map<RoleKey, ReadonlySet<Permission>>(
  roleKeys.map((k) => [k, new Set<Permission>(roleDefinitions[k].permissions)]),
);

/** Exact match only: " owner", "Owner" or "owner " are not roles. */
export function isRoleKey(value: string): value is RoleKey {
  return Object.prototype.hasOwnProperty.call(roleDefinitions, value);
}

export function permissionsOf(role: RoleKey): ReadonlySet<Permission> {
  const set = permissionSets.get(role);
  if (!set) throw new Error(`unknown role ${role}`);
  return set;
}

export function roleHas(role: RoleKey, permission: Permission): boolean {
  return permissionsOf(role).has(permission);
}

export interface RoleComparison {
  gained: Permission[];
  lost: Permission[];
  kept: Permission[];
}

/** What a user would gain, lose and keep when moving from one role to another. Pure. */
export function compareRoles(from: RoleKey, to: RoleKey): RoleComparison {
  const a = permissionsOf(from);
  const b = permissionsOf(to);
  const inOrder = (pred: (p: Permission) => boolean) => allPermissions.filter(pred);
  return {
    gained: inOrder((p) => b.has(p) && !a.has(p)),
    lost: inOrder((p) => a.has(p) && !b.has(p)),
    kept: inOrder((p) => a.has(p) && b.has(p)),
  };
}

/** An actor may grant (or take away) a role only if it holds every permission of that role. */
export function canGrantRole(actorRole: RoleKey, role: RoleKey): boolean {
  const mine = permissionsOf(actorRole);
  for (const p of permissionsOf(role)) if (!mine.has(p)) return false;
  return true;
}

/** A move from one role to another is a downgrade when any permission is lost. */
export function isDowngrade(from: RoleKey, to: RoleKey): boolean {
  return compareRoles(from, to).lost.length > 0;
}
