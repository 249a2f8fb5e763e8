import { NavLink, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useViewerAccess } from '../../api/departments-access';
import { IconReportMoney, IconShieldCheck, IconSitemap } from './icons';

interface Item {
  to: string;
  label: string;
  icon: ReactNode;
  /** Shown when the viewer holds this permission anywhere (a department manager reads their subtrees). */
  permission: string;
}

const items: Item[] = [
  {
    to: '/departments',
    label: 'Departments',
    icon: <IconSitemap size={18} aria-hidden />,
    permission: 'departments:read',
  },
  {
    to: '/costs',
    label: 'Cost report',
    icon: <IconReportMoney size={18} aria-hidden />,
    permission: 'costs:read',
  },
  { to: '/roles', label: 'Roles', icon: <IconShieldCheck size={18} aria-hidden />, permission: 'roles:read' },
];

/**
 * The navigation's "Organisation" section: departments, the cost report and the roles, for whoever may see
 * them — from the viewer's effective permissions, so a department manager sees "Departments" too.
 */
export function OrganisationNav({ onNavigate }: { onNavigate?: () => void }) {
  const access = useViewerAccess();
  const location = useLocation();
  const visible = items.filter((i) => access.anywhere(i.permission));
  if (visible.length === 0) return null;
  return (
    <>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="md" pb={4}>
        Organisation
      </Text>
      {visible.map((item) => (
        <NavLink
          key={item.to}
          component={Link}
          to={item.to}
          label={item.label}
          leftSection={item.icon}
          active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
          onClick={onNavigate}
        />
      ))}
    </>
  );
}
