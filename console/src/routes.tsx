import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { RequireAuth } from './auth/require-auth';
import { usePermissions } from './auth/viewer';
import { Shell } from './layout/shell';
import { NotFoundPage } from './pages/not-found';
import { RequirePermission } from './auth/require-permission';
import { PageSkeleton } from './ui/page-skeleton';

/**
 * A page loaded on first visit (its own chunk), showing the loading state meanwhile: the first load
 * carries only the shell, and each page's code comes when it is opened.
 */
function page<M>(load: () => Promise<M>, pick: (m: M) => ComponentType, permission?: string) {
  const Page = lazy(async () => ({ default: pick(await load()) }));
  const loaded = (
    <Suspense fallback={<PageSkeleton />}>
      <Page />
    </Suspense>
  );
  return permission ? <RequirePermission permission={permission}>{loaded}</RequirePermission> : loaded;
}

/** The first page after sign-in: the users for those who may see them, one's profile otherwise. */
function Home() {
  const { can, ready } = usePermissions();
  if (!ready) return <PageSkeleton />;
  return <Navigate to={can('users:read') ? '/users' : '/profile'} replace />;
}

export const router = createBrowserRouter([
  {
    path: '/sign-in',
    element: page(
      () => import('./pages/sign-in'),
      (m) => m.SignInPage,
    ),
  },
  {
    path: '/accept-invitation',
    element: page(
      () => import('./pages/accept-invitation'),
      (m) => m.AcceptInvitationPage,
    ),
  },
  {
    path: '/forgot-password',
    element: page(
      () => import('./pages/forgot-password'),
      (m) => m.ForgotPasswordPage,
    ),
  },
  {
    path: '/reset-password',
    element: page(
      () => import('./pages/reset-password'),
      (m) => m.ResetPasswordPage,
    ),
  },
  {
    element: <RequireAuth />,
    children: [
      {
        // Outside the shell: an enrolment-only session can use nothing the shell shows.
        path: 'enrol-mfa',
        element: page(
          () => import('./pages/security/enrol-mfa-page'),
          (m) => m.EnrolMfaPage,
        ),
      },
      {
        element: <Shell />,
        children: [
          { index: true, element: <Home /> },
          {
            path: 'users',
            element: page(
              () => import('./pages/users/users-page'),
              (m) => m.UsersPage,
              'users:read',
            ),
          },
          {
            path: 'users/:id',
            element: page(
              () => import('./pages/users/user-detail'),
              (m) => m.UserDetailPage,
              'users:read',
            ),
          },
          {
            path: 'invite',
            element: page(
              () => import('./pages/invite'),
              (m) => m.InvitePage,
              'users:invite',
            ),
          },
          {
            path: 'invitations',
            element: page(
              () => import('./pages/invitations'),
              (m) => m.InvitationsPage,
              'invitations:read',
            ),
          },
          {
            path: 'audit',
            element: page(
              () => import('./pages/audit-log'),
              (m) => m.AuditLogPage,
              'audit:read',
            ),
          },
          {
            path: 'mailbox',
            element: page(
              () => import('./pages/mailbox'),
              (m) => m.MailboxPage,
            ),
          },
          {
            path: 'profile',
            element: page(
              () => import('./pages/profile'),
              (m) => m.ProfilePage,
            ),
          },
          {
            path: 'me/security',
            element: page(
              () => import('./pages/security/my-security-page'),
              (m) => m.MySecurityPage,
            ),
          },
          {
            path: 'sessions',
            element: page(
              () => import('./pages/my-sessions'),
              (m) => m.MySessionsPage,
            ),
          },
          {
            path: 'departments',
            element: page(
              () => import('./pages/departments/departments-page'),
              (m) => m.DepartmentsPage,
              'departments:read',
            ),
          },
          {
            path: 'departments/:id',
            element: page(
              () => import('./pages/departments/department-detail'),
              (m) => m.DepartmentDetailPage,
            ),
          },
          {
            path: 'costs',
            element: page(
              () => import('./pages/costs/cost-report-page'),
              (m) => m.CostReportPage,
            ),
          },
          {
            path: 'roles',
            element: page(
              () => import('./pages/roles/roles-page'),
              (m) => m.RolesPage,
              'roles:read',
            ),
          },
          {
            path: 'settings',
            element: page(
              () => import('./pages/settings/organization-settings-page'),
              (m) => m.OrganizationSettingsPage,
            ),
          },
          {
            path: 'api-credentials',
            element: page(
              () => import('./pages/api-credentials/scim-tokens-page'),
              (m) => m.ScimTokensPage,
              'api_credentials:manage',
            ),
          },
          {
            path: 'outbox',
            element: page(
              () => import('./pages/outbox'),
              (m) => m.OutboxPage,
            ),
          },
          {
            path: 'notification-preferences',
            element: page(
              () => import('./pages/notification-preferences'),
              (m) => m.NotificationPreferencesPage,
            ),
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
