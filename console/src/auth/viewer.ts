import { useQuery } from '@tanstack/react-query';
import { request } from '../api/client';
import { useViewerAccess } from '../api/departments-access';
import { isForbidden } from '../api/errors';
import { graphql, type ResultOf } from '../graphql';

export const MeQuery = graphql(`
  query Me {
    viewer {
      id
      email
      displayName
      jobTitle
      phone
      locale
      timeZone
      role
      status
      version
      lastLoginAt
    }
    organization {
      id
      name
      slug
    }
  }
`);

export type Me = ResultOf<typeof MeQuery>;
export type Viewer = NonNullable<Me['viewer']>;

export const meKey = ['me'] as const;

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: () => request(MeQuery), staleTime: 60_000 });
}

export const RolesQuery = graphql(`
  query Roles {
    roles {
      key
      name
      description
      viewerCanGrant
      privileged
      permissions {
        name
        description
      }
    }
  }
`);

export type RoleInfo = ResultOf<typeof RolesQuery>['roles'][number];

/** The role catalogue; empty for a viewer who may not read roles. */
export function useRoles() {
  return useQuery({
    queryKey: ['roles'],
    queryFn: async () => {
      try {
        return (await request(RolesQuery)).roles;
      } catch (e) {
        if (isForbidden(e)) return [] as RoleInfo[];
        throw e;
      }
    },
    staleTime: 5 * 60_000,
  });
}

/**
 * What the viewer holds anywhere — for the organisation or over a subtree they manage — for navigation
 * only: every action button still asks the API (`viewerCan`), and every command checks again on the
 * server. Read from the viewer's effective permissions, so a department manager whose role grants no user
 * administration still finds the users table and the invite page (narrowed to their subtree by the API).
 */
export function usePermissions(): { can: (permission: string) => boolean; ready: boolean } {
  const access = useViewerAccess();
  return { can: access.anywhere, ready: access.ready };
}

export function roleName(roles: readonly RoleInfo[] | undefined, key: string): string {
  return roles?.find((r) => r.key === key)?.name ?? titleCase(key);
}

export function titleCase(key: string): string {
  return key
    .toLowerCase()
    .split('_')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(' ');
}
