import {
  AppShell,
  Avatar,
  Burger,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconBellCog,
  IconChevronDown,
  IconDevices,
  IconHistory,
  IconLogout,
  IconMail,
  IconMailCog,
  IconMailForward,
  IconSend,
  IconKey,
  IconSettings,
  IconShieldLock,
  IconUser,
  IconUsers,
} from '../ui/icons';
import type { ReactNode } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { MfaDueBanner } from '../pages/security/mfa-due-banner';
import { useSignOut } from '../auth/sign-out';
import { useMe, usePermissions } from '../auth/viewer';
import { ErrorState } from '../ui/states';
import { PageSkeleton } from '../ui/page-skeleton';
import { ColorSchemeItems } from './color-scheme-items';
import { NotificationsBell } from './notifications-bell';
import { OrganisationNav } from '../pages/departments/departments-nav';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  permission?: string;
}

const adminItems: NavItem[] = [
  { to: '/users', label: 'Users', icon: <IconUsers size={18} aria-hidden />, permission: 'users:read' },
  {
    to: '/invite',
    label: 'Invite people',
    icon: <IconSend size={18} aria-hidden />,
    permission: 'users:invite',
  },
  {
    to: '/invitations',
    label: 'Invitations',
    icon: <IconMailForward size={18} aria-hidden />,
    permission: 'invitations:read',
  },
  { to: '/audit', label: 'Audit log', icon: <IconHistory size={18} aria-hidden />, permission: 'audit:read' },
  {
    to: '/mailbox',
    label: 'Mailbox',
    icon: <IconMail size={18} aria-hidden />,
    permission: 'security:manage',
  },
  {
    to: '/outbox',
    label: 'Email outbox',
    icon: <IconMailCog size={18} aria-hidden />,
    permission: 'security:manage',
  },
  {
    to: '/settings',
    label: 'Organisation settings',
    icon: <IconSettings size={18} aria-hidden />,
    permission: 'organization:update',
  },
  {
    to: '/api-credentials',
    label: 'API credentials',
    icon: <IconKey size={18} aria-hidden />,
    permission: 'api_credentials:manage',
  },
];

const accountItems: NavItem[] = [
  { to: '/profile', label: 'My profile', icon: <IconUser size={18} aria-hidden /> },
  { to: '/me/security', label: 'My security', icon: <IconShieldLock size={18} aria-hidden /> },
  { to: '/sessions', label: 'My sessions', icon: <IconDevices size={18} aria-hidden /> },
  { to: '/notification-preferences', label: 'My notifications', icon: <IconBellCog size={18} aria-hidden /> },
];

export function Shell() {
  const [opened, { toggle, close }] = useDisclosure();
  const me = useMe();
  const { can } = usePermissions();
  const location = useLocation();
  const signOut = useSignOut();
  const viewer = me.data?.viewer;

  const link = (item: NavItem) => (
    <NavLink
      key={item.to}
      component={Link}
      to={item.to}
      label={item.label}
      leftSection={item.icon}
      active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
      onClick={close}
    />
  );
  const visibleAdmin = adminItems.filter((i) => !i.permission || can(i.permission));

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="lg"
    >
      <a href="#main-content" className="roster-skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Text component={Link} to="/" fw={700} size="lg" c="var(--mantine-color-anchor)" td="none">
              Roster
            </Text>
            {me.data ? (
              <Text c="dimmed" size="sm" visibleFrom="xs">
                {me.data.organization.name}
              </Text>
            ) : null}
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NotificationsBell />
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton p={4}>
                  <Group gap={6} wrap="nowrap">
                    <Avatar size="sm" color="indigo" radius="xl" aria-hidden>
                      {(viewer?.displayName || viewer?.email || '?').slice(0, 1).toUpperCase()}
                    </Avatar>
                    <Text size="sm" visibleFrom="sm">
                      {viewer?.displayName || viewer?.email}
                    </Text>
                    <VisuallyHidden>Account menu</VisuallyHidden>
                    <IconChevronDown size={14} aria-hidden />
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{viewer?.email}</Menu.Label>
                <Menu.Item component={Link} to="/profile" leftSection={<IconUser size={16} aria-hidden />}>
                  My profile
                </Menu.Item>
                <Menu.Item
                  component={Link}
                  to="/sessions"
                  leftSection={<IconDevices size={16} aria-hidden />}
                >
                  My sessions
                </Menu.Item>
                <Menu.Item
                  component={Link}
                  to="/me/security"
                  leftSection={<IconShieldLock size={16} aria-hidden />}
                >
                  My security
                </Menu.Item>
                <ColorSchemeItems />
                <Menu.Divider />
                <Menu.Item
                  color="red"
                  leftSection={<IconLogout size={16} aria-hidden />}
                  onClick={() => signOut.mutate()}
                >
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <AppShell.Section grow component={ScrollArea}>
          {visibleAdmin.length > 0 ? (
            <>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="xs" pb={4}>
                Administration
              </Text>
              {visibleAdmin.map(link)}
            </>
          ) : null}
          <OrganisationNav onNavigate={close} />
          <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="md" pb={4}>
            Your account
          </Text>
          {accountItems.map(link)}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main-content" tabIndex={-1}>
        {me.isPending ? (
          <PageSkeleton />
        ) : me.isError ? (
          <ErrorState error={me.error} onRetry={() => void me.refetch()} />
        ) : (
          <>
            <MfaDueBanner />
            <Outlet />
          </>
        )}
      </AppShell.Main>
    </AppShell>
  );
}
