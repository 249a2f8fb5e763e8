import { Anchor, Card, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { usePageTitle } from './page';

/**
 * What a page shows to someone whose role does not allow it: a plain statement and a way on, never the
 * page's controls or a "Try again" that cannot help.
 */
export function NoAccess({ what }: { what?: string }) {
  usePageTitle('No access');
  return (
    <Card withBorder padding="xl" maw={560} role="alert">
      <Stack gap="sm">
        <Title order={1} size="h2">
          You don’t have access to this page
        </Title>
        <Text>
          {what
            ? `${what} needs a permission your role does not have.`
            : 'Your role does not allow this page.'}{' '}
          If you need it, ask an administrator of your organisation.
        </Text>
        <Anchor component={Link} to="/">
          Go to the start page
        </Anchor>
      </Stack>
    </Card>
  );
}
