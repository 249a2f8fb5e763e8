import {
  Button,
  Card,
  Checkbox,
  Group,
  NumberInput,
  Select,
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
  CreateScimToken,
  RevokeScimToken,
  RotateScimToken,
  ScimTokensQuery,
} from '../../api/api-credentials';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { notifyDone } from '../../ui/notify';
import { Page } from '../../ui/page';
import { SecretOnce } from '../../ui/secret-once';
import { ErrorState, FormError, LoadingState } from '../../ui/states';
import { CredentialName, RevokeCredentialButton } from './credential-parts';

const key = ['settings', 'scim-tokens'] as const;
type Scope = 'USERS' | 'GROUPS' | 'ROLE_MAPPING';
const scopeLabels: Record<Scope, string> = {
  USERS: 'Users (create, update, suspend, deactivate)',
  GROUPS: 'Groups (departments and their members)',
  ROLE_MAPPING: 'Role mapping (change roles, up to the widest role below)',
};

interface TokenItem {
  id: string;
  name: string;
}

/**
 * Organisation settings → API credentials: the SCIM tokens identity providers provision with. Make one
 * (its secret is shown once, with a copy button), rotate it (a new secret; the old one stops at once) or
 * revoke it. Issuing and rotating ask for a recent sign-in; the server decides who may (api_credentials:manage).
 */
export function ScimTokensPage() {
  const queryClient = useQueryClient();
  const dates = useDates();
  const list = useQuery({ queryKey: key, queryFn: () => request(ScimTokensQuery) });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['USERS', 'GROUPS']);
  const [maxRole, setMaxRole] = useState<string | null>('USER_MANAGER');
  const [days, setDays] = useState<number | string>(90);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [rotating, setRotating] = useState<TokenItem | null>(null);
  const [revoking, setRevoking] = useState<TokenItem | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: [...key] });

  const create = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(CreateScimToken, {
            input: {
              name: name.trim(),
              scopes,
              maxRole: maxRole as never,
              expiresInDays: typeof days === 'number' ? days : null,
            },
          })
        ).createScimToken,
      ),
    onSuccess: async (p) => {
      setName('');
      setSecret({ name: p.token?.name ?? '', value: p.secret ?? '' });
      await refresh();
    },
  });
  const rotate = useMutation({
    mutationFn: async (t: TokenItem) =>
      unwrapPayload((await request(RotateScimToken, { input: { id: t.id } })).rotateScimToken),
    onSuccess: async (p) => {
      setRotating(null);
      setSecret({ name: p.token?.name ?? '', value: p.secret ?? '' });
      await refresh();
    },
  });
  const revoke = useMutation({
    mutationFn: async (t: TokenItem) =>
      unwrapPayload((await request(RevokeScimToken, { input: { id: t.id } })).revokeScimToken),
    onSuccess: async () => {
      setRevoking(null);
      notifyDone('Token revoked.');
      await refresh();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() && scopes.length > 0 && maxRole) create.mutate();
  };
  const tokens = list.data?.scimTokens ?? [];
  const roles = list.data?.roles ?? [];

  return (
    <Page
      title="API credentials"
      description="SCIM tokens let an identity provider (Entra ID, Okta, …) provision this organisation’s users and groups. Every change is recorded in the audit log."
    >
      <Stack gap="lg">
        {secret ? (
          <SecretOnce
            label={`Secret of “${secret.name}”`}
            secret={secret.value}
            onDone={() => setSecret(null)}
          />
        ) : null}
        <Card withBorder padding="lg" component="section" aria-labelledby="scim-tokens-title">
          <Stack gap="sm">
            <Title order={2} size="h3" id="scim-tokens-title">
              SCIM tokens
            </Title>
            {list.isPending ? (
              <LoadingState />
            ) : list.isError ? (
              <ErrorState error={list.error} onRetry={() => void list.refetch()} />
            ) : tokens.length === 0 ? (
              <Text size="sm">No SCIM tokens yet.</Text>
            ) : (
              <Table.ScrollContainer minWidth={720}>
                <Table aria-label="SCIM tokens" verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Name</Table.Th>
                      <Table.Th scope="col">Scopes</Table.Th>
                      <Table.Th scope="col">Expires</Table.Th>
                      <Table.Th scope="col">Last used</Table.Th>
                      <Table.Th scope="col">
                        <VisuallyHidden>Actions</VisuallyHidden>
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {tokens.map((t) => (
                      <Table.Tr key={t.id} data-testid="scim-token-row">
                        <Table.Td>
                          <CredentialName name={t.name} live={t.live} revokedAt={t.revokedAt} />
                        </Table.Td>
                        <Table.Td>
                          {t.scopes.map((s) => s.toLowerCase().replace('_', ' ')).join(', ')}
                          <Text size="xs" c="dimmed">
                            up to {roles.find((r) => r.key === t.maxRole)?.name ?? t.maxRole}
                          </Text>
                        </Table.Td>
                        <Table.Td>{dates.dateTime(t.expiresAt)}</Table.Td>
                        <Table.Td>
                          {t.lastUsedAt
                            ? `${dates.dateTime(t.lastUsedAt)} from ${t.lastUsedIp ?? '?'}`
                            : 'Never'}
                        </Table.Td>
                        <Table.Td>
                          {t.live ? (
                            <Group gap="xs" justify="flex-end" wrap="nowrap">
                              <Button
                                variant="default"
                                size="xs"
                                aria-label={`Rotate ${t.name}`}
                                onClick={() => {
                                  rotate.reset();
                                  setRotating(t);
                                }}
                              >
                                Rotate
                              </Button>
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
            )}
          </Stack>
        </Card>
        <Card withBorder padding="lg" component="section" aria-labelledby="new-scim-token-title">
          <form onSubmit={submit} noValidate>
            <Stack gap="sm">
              <Title order={2} size="h3" id="new-scim-token-title">
                New SCIM token
              </Title>
              <TextInput
                label="Name"
                description="Which identity provider uses it, e.g. “Entra ID”."
                value={name}
                maxLength={100}
                onChange={(e) => setName(e.currentTarget.value)}
                w={360}
                maw="100%"
              />
              <Checkbox.Group label="What it may do" value={scopes} onChange={(v) => setScopes(v as Scope[])}>
                <Stack gap={6} mt={6}>
                  {(Object.keys(scopeLabels) as Scope[]).map((s) => (
                    <Checkbox key={s} value={s} label={scopeLabels[s]} />
                  ))}
                </Stack>
              </Checkbox.Group>
              <Select
                label="Widest role it may act on or grant"
                data={roles.map((r) => ({ value: r.key, label: r.name }))}
                value={maxRole}
                onChange={setMaxRole}
                allowDeselect={false}
                w={360}
                maw="100%"
              />
              <NumberInput
                label="Expires after (days)"
                min={1}
                max={365}
                value={days}
                onChange={setDays}
                w={200}
              />
              <FormError error={create.error} />
              <Group>
                <Button
                  type="submit"
                  loading={create.isPending}
                  disabled={!name.trim() || scopes.length === 0}
                >
                  Create token
                </Button>
              </Group>
            </Stack>
          </form>
        </Card>
      </Stack>
      <ConfirmModal
        opened={rotating !== null}
        onClose={() => setRotating(null)}
        title="Rotate the token?"
        confirmLabel="Rotate"
        onConfirm={() => rotating && rotate.mutate(rotating)}
        pending={rotate.isPending}
        error={rotate.error}
      >
        <Text size="sm">
          “{rotating?.name}” gets a new secret and the current one stops working at once: paste the new one
          into the identity provider right away.
        </Text>
      </ConfirmModal>
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
        <Text size="sm">“{revoking?.name}” stops working at once; this cannot be undone.</Text>
      </ConfirmModal>
    </Page>
  );
}
