import {
  Button,
  Card,
  Group,
  MultiSelect,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  CreatePersonalApiToken,
  MyPersonalApiTokens,
  RevokePersonalApiToken,
} from '../../api/api-credentials';
import { request } from '../../api/client';
import type { graphql } from '../../graphql';
import { unwrapPayload } from '../../api/errors';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { notifyDone } from '../../ui/notify';
import { SecretOnce } from '../../ui/secret-once';
import { FormError } from '../../ui/states';
import { useMe, useRoles } from '../../auth/viewer';
import { CredentialName, RevokeCredentialButton } from '../api-credentials/credential-parts';

const key = ['me', 'personal-api-tokens'] as const;
type PermissionName = ReturnType<typeof graphql.scalar<'PermissionName'>>;

interface TokenItem {
  id: string;
  name: string;
}

/**
 * "My security" → Personal API tokens (for holders of api:access): a token acts as you on the API, with
 * your current role (never more), until it expires, you revoke it, or your account is suspended.
 */
export function PersonalTokensSection() {
  const queryClient = useQueryClient();
  const dates = useDates();
  const list = useQuery({ queryKey: key, queryFn: () => request(MyPersonalApiTokens) });
  const [name, setName] = useState('');
  const [days, setDays] = useState<number | string>(30);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [revoking, setRevoking] = useState<TokenItem | null>(null);
  const [narrowTo, setNarrowTo] = useState<string[]>([]);
  const me = useMe();
  const roles = useRoles();
  // What a token may be narrowed to: the permissions of your role (the server checks them again).
  const ownPermissions =
    roles.data
      ?.find((r) => r.key === me.data?.viewer?.role)
      ?.permissions.map((p) => ({
        // `users:read` as the API's PermissionName enum: `USERS_READ`
        value: p.name.replace(':', '_').toUpperCase(),
        label: p.description,
      })) ?? [];
  const describe = (name: string) => ownPermissions.find((p) => p.value === name)?.label ?? name;
  const refresh = () => queryClient.invalidateQueries({ queryKey: [...key] });

  const create = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(CreatePersonalApiToken, {
            input: {
              name: name.trim(),
              expiresInDays: typeof days === 'number' ? days : null,
              // Empty: the token acts with your whole role.
              permissions: narrowTo.length > 0 ? (narrowTo as PermissionName[]) : null,
            },
          })
        ).createPersonalApiToken,
      ),
    onSuccess: async (p) => {
      setName('');
      setNarrowTo([]);
      setSecret({ name: p.token?.name ?? '', value: p.secret ?? '' });
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: async (t: TokenItem) =>
      unwrapPayload((await request(RevokePersonalApiToken, { input: { id: t.id } })).revokePersonalApiToken),
    onSuccess: async () => {
      setRevoking(null);
      notifyDone('Token revoked.');
      await refresh();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate();
  };
  const tokens = list.data?.myPersonalApiTokens ?? [];

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="personal-tokens-title">
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={2} size="h3" id="personal-tokens-title">
            Personal API tokens
          </Title>
          <Text size="sm" c="dimmed">
            Send one as <code>Authorization: Bearer …</code> to the API. It acts as you, never with more than
            your role, and cannot change your password or sign-in methods.
          </Text>
        </Stack>
        {secret ? (
          <SecretOnce label={`Token “${secret.name}”`} secret={secret.value} onDone={() => setSecret(null)} />
        ) : null}
        {list.isSuccess && tokens.length === 0 ? <Text size="sm">You have no personal tokens.</Text> : null}
        {tokens.length > 0 ? (
          <Table.ScrollContainer minWidth={520}>
            <Table aria-label="Your personal API tokens" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">May do</Table.Th>
                  <Table.Th scope="col">Expires</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tokens.map((t) => (
                  <Table.Tr key={t.id} data-testid="personal-token-row">
                    <Table.Td>
                      <CredentialName name={t.name} live={t.live} revokedAt={t.revokedAt} />
                    </Table.Td>
                    <Table.Td>
                      {t.permissions
                        ? t.permissions
                            .filter((p) => p !== 'API_ACCESS')
                            .map(describe)
                            .join(', ') || 'API access only'
                        : 'Everything your role allows'}
                    </Table.Td>
                    <Table.Td>{dates.dateTime(t.expiresAt)}</Table.Td>
                    <Table.Td>{t.lastUsedAt ? dates.dateTime(t.lastUsedAt) : 'Never'}</Table.Td>
                    <Table.Td>
                      {t.live ? (
                        <Group justify="flex-end">
                          <RevokeCredentialButton
                            name={t.name}
                            onClick={() => {
                              revoke.reset();
                              setRevoking(t);
                            }}
                          />
                        </Group>
                      ) : null}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
        <form onSubmit={submit} noValidate>
          <Group align="flex-end" gap="sm">
            <TextInput
              label="Name of the new token"
              description="What will use it, e.g. “Report script”."
              value={name}
              maxLength={100}
              onChange={(e) => setName(e.currentTarget.value)}
              w={320}
              maw="100%"
            />
            <NumberInput
              label="Expires after (days)"
              min={1}
              max={365}
              value={days}
              onChange={setDays}
              w={180}
            />
            <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
              Create token
            </Button>
          </Group>
          {ownPermissions.length > 0 ? (
            <MultiSelect
              mt="sm"
              label="Only these permissions"
              description="Optional: leave empty for everything your role allows. A token never holds more than your role does when it is used."
              placeholder={narrowTo.length === 0 ? 'Everything your role allows' : undefined}
              data={ownPermissions.filter((p) => p.value !== 'API_ACCESS')}
              value={narrowTo}
              onChange={setNarrowTo}
              searchable
              clearable
              maw={660}
            />
          ) : null}
          <div style={{ marginTop: 'var(--mantine-spacing-sm)' }}>
            <FormError error={create.error} />
          </div>
        </form>
      </Stack>
      <ConfirmModal
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title="Revoke the token?"
        confirmLabel="Revoke token"
        danger
        onConfirm={() => revoking && revoke.mutate(revoking)}
        pending={revoke.isPending}
        error={revoke.error}
      >
        <Text size="sm">“{revoking?.name}” stops working at once.</Text>
      </ConfirmModal>
    </Card>
  );
}
