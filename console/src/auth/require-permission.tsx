import type { ReactNode } from 'react';
import { NoAccess } from '../ui/no-access';
import { PageSkeleton } from '../ui/page-skeleton';
import { usePermissions } from './viewer';

/** A page for holders of `permission` (anywhere: a department manager reads their subtrees' users). */
export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const { can, ready } = usePermissions();
  if (!ready) return <PageSkeleton />;
  if (!can(permission)) return <NoAccess />;
  return <>{children}</>;
}
