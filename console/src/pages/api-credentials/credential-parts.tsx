import { Badge, Button, Group, Text } from '@mantine/core';

/** A credential's name, marked Revoked or Expired once it no longer works (SCIM and personal tokens). */
export function CredentialName({
  name,
  live,
  revokedAt,
}: {
  name: string;
  live: boolean;
  revokedAt: unknown;
}) {
  return (
    <Group gap="xs">
      <Text size="sm" fw={500}>
        {name}
      </Text>
      {!live ? (
        <Badge color="gray" variant="light" size="sm">
          {revokedAt ? 'Revoked' : 'Expired'}
        </Badge>
      ) : null}
    </Group>
  );
}

/** The row's Revoke button; the caller asks for confirmation. */
export function RevokeCredentialButton({ name, onClick }: { name: string; onClick: () => void }) {
  return (
    <Button variant="light" color="red" size="xs" aria-label={`Revoke ${name}`} onClick={onClick}>
      Revoke
    </Button>
  );
}
