import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { LoadingState } from '../ui/states';
import { setEnrolmentOnly, useEnrolmentOnly } from './enrolment';
import { useSession } from './use-session';

/** The console's pages need a session; without one, the sign-in page (then back here). */
export function RequireAuth() {
  const { status } = useSession();
  const location = useLocation();
  const queryClient = useQueryClient();
  const enrolmentOnly = useEnrolmentOnly();
  useEffect(() => {
    // Nothing of the previous viewer stays in memory once the session is over.
    if (status === 'signedOut') {
      queryClient.clear();
      setEnrolmentOnly(false);
    }
  }, [status, queryClient]);
  if (status === 'restoring') return <LoadingState label="Restoring your session…" />;
  if (status === 'signedOut') {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  // A session that may only enrol a second factor sees the enrolment page and nothing else.
  if (enrolmentOnly && location.pathname !== '/enrol-mfa') return <Navigate to="/enrol-mfa" replace />;
  return <Outlet />;
}
