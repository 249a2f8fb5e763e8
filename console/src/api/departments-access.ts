import { useQuery } from '@tanstack/react-query';
import { useMe } from '../auth/viewer';
import { graphql } from '../graphql';
import { request } from './client';

const ViewerAccessQuery = graphql(`
  query ViewerAccess($id: ID!) {
    effectivePermissions(userId: $id) {
      permission {
        name
      }
      scope {
        kind
      }
      sources {
        kind
        department {
          id
        }
      }
    }
  }
`);

export interface ViewerAccess {
  /** Held for the whole organisation (the role, or a platform permission a department adds). */
  orgWide: (permission: string) => boolean;
  /** Held somewhere: for the organisation or over a managed subtree (a department manager). */
  anywhere: (permission: string) => boolean;
  /** The departments whose subtrees the viewer administers as a manager. */
  managedDepartmentIds: ReadonlySet<string>;
  ready: boolean;
}

/**
 * What the viewer holds and where, from their own effective permissions (role, departments, managed
 * subtrees). `usePermissions` reads the role only, which misses a department manager's scoped rights; this
 * also sees them. For showing navigation and actions only: the API checks every request again.
 */
export function useViewerAccess(): ViewerAccess {
  const me = useMe();
  const id = me.data?.viewer?.id;
  const access = useQuery({
    queryKey: ['access', 'viewer', id],
    queryFn: async () => (await request(ViewerAccessQuery, { id: id! })).effectivePermissions,
    enabled: !!id,
    staleTime: 60_000,
  });
  const rows = access.data ?? [];
  const orgWide = new Set(rows.filter((r) => r.scope.kind === 'ORGANIZATION').map((r) => r.permission.name));
  const anywhere = new Set(rows.map((r) => r.permission.name));
  const managed = new Set(
    rows.flatMap((r) => r.sources.filter((s) => s.kind === 'MANAGER').map((s) => s.department?.id ?? '')),
  );
  managed.delete('');
  return {
    orgWide: (p) => orgWide.has(p),
    anywhere: (p) => anywhere.has(p),
    managedDepartmentIds: managed,
    ready: access.isSuccess || access.isError,
  };
}
