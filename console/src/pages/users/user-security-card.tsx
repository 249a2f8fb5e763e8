import { Button, Card, List, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { UserFactorsQuery, ResetUserFactors } from '../../api/mfa';
import { useMe, usePermissions } from '../../auth/viewer';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { useUserAction } from './use-user-action';

/**
 * The user page's Security card (security/mfa-totp): the person's second factors (kind, name, created,
 * last used) for holders of `security:manage`, and "Reset second factors" (the server also applies the
 * target-role rule, a refusal shows in the dialog). Nothing is shown to a viewer who may not see factors.
 */
export function UserSecurityCard({ userId, name }: { userId: string; name: string }) {
  const dates = useDates();
  const { can } = usePermissions();
  const self = useMe().data?.viewer?.id === userId;
  const [confirming, setConfirming] = useState(false);
  const factors = useQuery({
    queryKey: ['user', userId, 'factors'],
    queryFn: () => request(UserFactorsQuery, { id: userId }),
  });
  const reset = useUserAction(
    async () => unwrapPayload((await request(ResetUserFactors, { input: { userId } })).resetUserFactors),
    `${name}'s second factors are reset and their sessions ended.`,
    () => setConfirming(false),
  );
  const list = factors.data?.user?.mfaFactors;
  if (!list) return null;
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="user-security-title">
      <Title order={2} size="h4" id="user-security-title" mb="sm">
        Security
      </Title>
      <Stack gap="xs" align="flex-start">
        {list.length === 0 ? (
          <Text size="sm">No second factor: signs in with the password alone.</Text>
        ) : (
          <List size="sm" spacing={2} aria-label="Second factors">
            {list.map((f) => (
              <List.Item key={f.id}>
                {f.kind === 'TOTP' ? 'Authenticator app' : f.kind} “{f.name}” — added{' '}
                {dates.dateTime(f.createdAt)}, last used{' '}
                {f.lastUsedAt ? dates.dateTime(f.lastUsedAt) : 'never'}
              </List.Item>
            ))}
          </List>
        )}
        {can('security:manage') && !self ? (
          <Button size="xs" variant="default" color="red" onClick={() => setConfirming(true)}>
            Reset second factors
          </Button>
        ) : null}
      </Stack>
      {confirming ? (
        <ConfirmModal
          opened
          onClose={() => setConfirming(false)}
          title={`Reset ${name}'s second factors`}
          confirmLabel="Reset"
          danger
          onConfirm={() => reset.mutate(undefined)}
          pending={reset.isPending}
          error={reset.error}
        >
          <Text size="sm">
            Their authenticator app, passkeys and recovery codes stop working and every session of theirs
            ends. They are emailed; they sign in with the password and can set up new ones. Do this once you
            know it is them (a lost phone or security key).
          </Text>
        </ConfirmModal>
      ) : null}
    </Card>
  );
}
