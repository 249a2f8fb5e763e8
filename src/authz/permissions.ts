/**
 * The permission catalogue: every capability Roster grants, as `resource: [actions]`. A permission is the
 * string `resource:action`. Nothing implies anything else: a role holds exactly the permissions it lists.
 */
export const permissionCatalogue = {
  users: [
    'read',
    'invite',
    'update',
    'suspend',
    'reactivate',
    'deactivate',
    'change_role',
    'revoke_sessions',
  ],
  invitations: ['read', 'resend', 'revoke'],
  roles: ['read'],
  departments: ['read', 'manage'],
  costs: ['read'],
  sessions: ['read'],
  audit: ['read', 'export', 'verify'],
  organization: ['read', 'update', 'manage_ownership'],
  security: ['manage'],
  api_credentials: ['manage'],
  investigations: ['read', 'create', 'update', 'export', 'delete'],
  documents: ['read', 'create', 'update', 'delete'],
  reports: ['read', 'create', 'export'],
  api: ['access'],
} as const;

type Catalogue = typeof permissionCatalogue;
export type Resource = keyof Catalogue;
export type Permission = { [R in Resource]: `${R}:${Catalogue[R][number]}` }[Resource];

export const allPermissions: readonly Permission[] = Object.entries(permissionCatalogue).flatMap(
  ([resource, actions]) => actions.map((a) => `${resource}:${a}` as Permission),
);

const known = new Set<string>(allPermissions);
export function isPermission(value: string): value is Permission {
  return known.has(value);
}

/** One line per permission, for the API and the console. */
export const permissionDescriptions: Record<Permission, string> = {
  'users:read': 'See users and their profiles',
  'users:invite': 'Invite new users',
  'users:update': 'Edit user profiles',
  'users:suspend': 'Suspend users',
  'users:reactivate': 'Reactivate suspended users',
  'users:deactivate': 'Deactivate users permanently',
  'users:change_role': 'Change the role of users',
  'users:revoke_sessions': 'Sign users out by revoking their sessions',
  'invitations:read': 'See invitations',
  'invitations:resend': 'Resend invitations',
  'invitations:revoke': 'Revoke invitations',
  'roles:read': 'See roles and their permissions',
  'departments:read': 'See departments, their managers and members',
  'departments:manage': 'Create, change, move and archive departments and name their managers',
  'costs:read': 'See seats and cost per department and cost centre, and export the cost report',
  'sessions:read': "See other users' sessions",
  'audit:read': 'Read the audit trail',
  'audit:export': 'Export the audit trail',
  'audit:verify': 'Verify the integrity of the audit trail',
  'organization:read': 'See organisation settings',
  'organization:update': 'Change organisation settings',
  'organization:manage_ownership': 'Grant and remove the Owner role',
  'security:manage': 'Manage security controls (lockouts, policies)',
  'api_credentials:manage': "Issue, rotate and revoke the organisation's SCIM tokens",
  'investigations:read': 'Read investigations',
  'investigations:create': 'Open investigations',
  'investigations:update': 'Work on investigations',
  'investigations:export': 'Export investigation material',
  'investigations:delete': 'Delete investigations',
  'documents:read': 'Read documents',
  'documents:create': 'Create documents',
  'documents:update': 'Edit documents',
  'documents:delete': 'Delete documents',
  'reports:read': 'Read reports',
  'reports:create': 'Create reports',
  'reports:export': 'Export reports',
  'api:access': 'Use the API with personal tokens',
};
