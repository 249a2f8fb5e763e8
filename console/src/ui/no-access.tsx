import { Anchor, Center, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { IconLock } from './icons';

/**
 * What a person sees where their role gives them no access: a plain statement and where to go instead —
 * no filters, no "Try again" (trying again changes nothing).
 */
export function NoAccess({
  what = 'this page',
  level = 1,
  detail,
}: {
  what?: string;
  /** The server's own words for this refusal, when it said more than "forbidden". */
  detail?: string;
  /** 1 where it stands for the whole page, 2 inside a page that has its own heading. */
  level?: 1 | 2;
}) {
  return (
    <Center py="xl" data-testid="no-access">
      <Stack align="center" gap="xs" maw={480}>
        <IconLock size={32} aria-hidden color="var(--mantine-color-dimmed)" />
        <Title order={level} size="h3" ta="center">
          You don’t have access to {what}
        </Title>
        {detail ? (
          <Text size="sm" ta="center">
            {detail}
          </Text>
        ) : null}
        <Text c="dimmed" size="sm" ta="center">
          Your role does not include it. If you need it for your work, ask an administrator of your
          organisation.
        </Text>
        <Anchor component={Link} to="/profile" size="sm">
          Go to your profile
        </Anchor>
      </Stack>
    </Center>
  );
}
