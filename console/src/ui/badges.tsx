import { Badge, type BadgeProps } from '@mantine/core';
import type { ReactNode } from 'react';
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

/**
 * A badge for free text (a department's name, up to 200 characters): it wraps onto more lines instead of
 * being cut to "Serious Cr…" — a badge's label otherwise never wraps and hides what does not fit.
 */
export function TextBadge({ children, ...props }: BadgeProps & { children: ReactNode }) {
  return (
    <Badge
      {...props}
      h="auto"
      maw="100%"
      styles={{
        root: { paddingBlock: 2 },
        label: { whiteSpace: 'normal', overflow: 'visible', overflowWrap: 'anywhere', lineHeight: 1.35 },
      }}
    >
      {children}
    </Badge>
  );
}
