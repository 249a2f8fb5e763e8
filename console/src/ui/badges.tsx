import { Badge } from '@mantine/core';
import { titleCase } from '../auth/viewer';

export const userStatuses = ['ACTIVE', 'INVITED', 'SUSPENDED', 'DEACTIVATED'] as const;
export type UserStatus = (typeof userStatuses)[number];

const statusColor: Record<string, string> = {
  ACTIVE: 'teal',
  INVITED: 'blue',
  SUSPENDED: 'orange',
  DEACTIVATED: 'gray',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor[status] ?? 'gray'} variant="light">
      {titleCase(status)}
    </Badge>
  );
}

const invitationColor: Record<string, string> = {
  PENDING: 'blue',
  ACCEPTED: 'teal',
  EXPIRED: 'orange',
  REVOKED: 'gray',
  SUPERSEDED: 'gray',
};

export function InvitationBadge({ status }: { status: string }) {
  return (
    <Badge color={invitationColor[status] ?? 'gray'} variant="light">
      {titleCase(status)}
    </Badge>
  );
}
