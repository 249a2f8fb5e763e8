import { createBrowserRouter, Navigate } from 'react-router';
import { RequireAuth } from './auth/require-auth';
import { usePermissions } from './auth/viewer';
import { Shell } from './layout/shell';
import { AcceptInvitationPage } from './pages/accept-invitation';
import { AuditLogPage } from './pages/audit-log';
import { CostReportPage } from './pages/costs/cost-report-page';
import { DepartmentDetailPage } from './pages/departments/department-detail';
import { DepartmentsPage } from './pages/departments/departments-page';
import { InvitationsPage } from './pages/invitations';
import { InvitePage } from './pages/invite';
import { MailboxPage } from './pages/mailbox';
import { MySessionsPage } from './pages/my-sessions';
import { NotFoundPage } from './pages/not-found';
import { ProfilePage } from './pages/profile';
import { RolesPage } from './pages/roles/roles-page';
import { SignInPage } from './pages/sign-in';
import { UserDetailPage } from './pages/users/user-detail';
import { UsersPage } from './pages/users/users-page';
import { LoadingState } from './ui/states';

/** The first page after sign-in: the users for those who may see them, one's profile otherwise. */
function Home() {
  const { can, ready } = usePermissions();
  if (!ready) return <LoadingState />;
  return <Navigate to={can('users:read') ? '/users' : '/profile'} replace />;
}

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/accept-invitation', element: <AcceptInvitationPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <Shell />,
        children: [
          { index: true, element: <Home /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'users/:id', element: <UserDetailPage /> },
          { path: 'invite', element: <InvitePage /> },
          { path: 'invitations', element: <InvitationsPage /> },
          { path: 'audit', element: <AuditLogPage /> },
          { path: 'mailbox', element: <MailboxPage /> },
          { path: 'profile', element: <ProfilePage /> },
          { path: 'sessions', element: <MySessionsPage /> },
          { path: 'departments', element: <DepartmentsPage /> },
          { path: 'departments/:id', element: <DepartmentDetailPage /> },
          { path: 'costs', element: <CostReportPage /> },
          { path: 'roles', element: <RolesPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
