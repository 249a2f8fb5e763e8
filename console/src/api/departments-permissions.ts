import { graphql, type ResultOf } from '../graphql';

/** A permission as the API's inputs name it: `users:read` is `USERS_READ`. */
export type PermissionName = ReturnType<typeof graphql.scalar<'PermissionName'>>;

export function permissionInputName(name: string): PermissionName {
  return name.toUpperCase().replace(':', '_') as PermissionName;
}

/**
 * What a department may add for its members: platform permissions only (investigations, documents,
 * reports, api). The API refuses anything else; it does not publish the list, so it is kept here, checked
 * against the schema's PermissionName by the type checker.
 */
export const addedPermissionChoices = [
  'investigations:read',
  'investigations:create',
  'investigations:update',
  'investigations:export',
  'investigations:delete',
  'documents:read',
  'documents:create',
  'documents:update',
  'documents:delete',
  'reports:read',
  'reports:create',
  'reports:export',
  'api:access',
] as const;

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
] as const;

// A typo above fails here at compile time.
type Upper<S extends string> = S extends `${infer R}:${infer A}` ? `${Uppercase<R>}_${Uppercase<A>}` : never;
const _checkAdded: readonly PermissionName[] = [] as Upper<(typeof addedPermissionChoices)[number]>[];
const _checkManager: readonly PermissionName[] = [] as Upper<(typeof managerPermissionChoices)[number]>[];
void _checkAdded;
void _checkManager;

const EffectivePermissionFields = graphql(`
  fragment EffectivePermissionFields on EffectivePermission {
    permission {
      name
      description
    }
    scope {
      kind
      departments {
        id
        name
      }
    }
    sources {
      kind
      membership
      role {
        key
        name
      }
      department {
        id
        name
      }
      through {
        id
        name
      }
    }
  }
`);

export const EffectivePermissionsQuery = graphql(
  `
    query EffectivePermissions($userId: ID!) {
      effectivePermissions(userId: $userId) {
        ...EffectivePermissionFields
      }
    }
  `,
  [EffectivePermissionFields],
);

export type EffectivePermission = ResultOf<typeof EffectivePermissionFields>;

export const RoleChangePreviewQuery = graphql(
  `
    query RoleChangePreview($userId: ID!, $role: RoleKey!) {
      roleChangePreview(userId: $userId, role: $role) {
        viewerMayChange
        gained {
          ...EffectivePermissionFields
        }
        lost {
          ...EffectivePermissionFields
        }
        kept {
          ...EffectivePermissionFields
        }
      }
    }
  `,
  [EffectivePermissionFields],
);
