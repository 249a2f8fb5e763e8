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

/** Never shortened to "AC…" in a narrow table column: the badge keeps the width of its word. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor[status] ?? 'gray'} variant="light" miw="max-content">
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
    <Badge color={invitationColor[status] ?? 'gray'} variant="light" miw="max-content">
      {titleCase(status)}
    </Badge>
  );
}
