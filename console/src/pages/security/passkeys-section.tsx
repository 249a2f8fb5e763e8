import {
  Badge,
  Button,
  Card,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { ApiError, unwrapPayload } from '../../api/errors';
import {
  BeginPasskeyRegistration,
  FinishPasskeyRegistration,
  MyPasskeys,
  RemovePasskey,
  RenamePasskey,
  passkeyBrowserError,
} from '../../api/passkeys';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { mfaRequirementKey } from './mfa-requirement-api';

const key = ['me', 'passkeys'] as const;

interface PasskeyItem {
  id: string;
  name: string;
}

/**
 * "My security" → Passkeys: add one with a name (the browser's passkey prompt, through
 * @simplewebauthn/browser), see when each was added and last used, rename, remove (asked first). Adding and
 * removing email you. A passkey signs you in without a password.
 */
export function PasskeysSection() {
  const queryClient = useQueryClient();
  const dates = useDates();
  const list = useQuery({ queryKey: key, queryFn: () => request(MyPasskeys) });
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<PasskeyItem | null>(null);
  const [newName, setNewName] = useState('');
  const [removing, setRemoving] = useState<PasskeyItem | null>(null);
  const supported = browserSupportsWebAuthn();
  const refresh = () => queryClient.invalidateQueries({ queryKey: [...key] });
  // Adding or removing a passkey may satisfy the MFA policy or stop satisfying it: what the policy asks is
  // read again at once (the enrolment page opens the console when it is satisfied, the banner updates).
  const refreshAll = () =>
    Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: [...mfaRequirementKey] })]);

  const add = useMutation({
    mutationFn: async () => {
      const begun = unwrapPayload((await request(BeginPasskeyRegistration)).beginPasskeyRegistration);
      let response;
      try {
        response = await startRegistration({
          optionsJSON: begun.options as Parameters<typeof startRegistration>[0]['optionsJSON'],
        });
      } catch (err) {
        throw passkeyBrowserError(err);
      }
      return unwrapPayload(
        (await request(FinishPasskeyRegistration, { input: { name: name.trim(), response } }))
          .finishPasskeyRegistration,
      );
    },
    onSuccess: async (p) => {
      setName('');
      notifyDone(`Passkey “${p.passkey?.name ?? ''}” added.`);
      await refreshAll();
    },
  });
  const rename = useMutation({
    mutationFn: async (p: PasskeyItem) =>
      unwrapPayload(
        (await request(RenamePasskey, { input: { id: p.id, name: newName.trim() } })).renamePasskey,
      ),
    onSuccess: async () => {
      setRenaming(null);
      notifyDone('Passkey renamed.');
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: async (p: PasskeyItem) =>
      unwrapPayload((await request(RemovePasskey, { input: { id: p.id } })).removePasskey),
    onSuccess: async () => {
      setRemoving(null);
      notifyDone('Passkey removed.');
      await refreshAll();
    },
  });
  const nameError =
    add.error instanceof ApiError
      ? (add.error.problems.find((p) => p.field === 'name')?.message ?? null)
      : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) add.mutate();
  };
  const passkeys = list.data?.myPasskeys ?? [];

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="passkeys-section-title">
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={2} size="h3" id="passkeys-section-title">
            Passkeys
          </Title>
          <Text size="sm" c="dimmed">
            A passkey signs you in with your device’s screen lock or a security key, without a password.
          </Text>
        </Stack>
        {list.isSuccess && passkeys.length === 0 ? <Text size="sm">You have no passkeys yet.</Text> : null}
        {passkeys.length > 0 ? (
          <Table.ScrollContainer minWidth={520}>
            <Table aria-label="Your passkeys" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Name</Table.Th>
                  <Table.Th scope="col">Added</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {passkeys.map((p) => (
                  <Table.Tr key={p.id} data-testid="passkey-row">
                    <Table.Td>
                      <Group gap="xs">
                        <Text size="sm" fw={500}>
                          {p.name}
                        </Text>
                        {p.backedUp ? (
                          <Badge variant="light" color="teal" size="sm">
                            Backed up
                          </Badge>
                        ) : null}
                      </Group>
                    </Table.Td>
                    <Table.Td>{dates.dateTime(p.createdAt)}</Table.Td>
                    <Table.Td>{p.lastUsedAt ? dates.dateTime(p.lastUsedAt) : 'Never'}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        <Button
                          variant="default"
                          size="xs"
                          aria-label={`Rename ${p.name}`}
                          onClick={() => {
                            rename.reset();
                            setNewName(p.name);
                            setRenaming(p);
                          }}
                        >
                          Rename
                        </Button>
                        <Button
                          variant="light"
                          color="red"
                          size="xs"
                          aria-label={`Remove ${p.name}`}
                          onClick={() => {
                            remove.reset();
                            setRemoving(p);
                          }}
                        >
                          Remove
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
        {supported ? (
          <form onSubmit={submit} noValidate>
            <Group align="flex-end" gap="sm">
              <TextInput
                label="Name of the new passkey"
                description="So you can tell your passkeys apart, e.g. “Work laptop”."
                value={name}
                maxLength={100}
                onChange={(e) => setName(e.currentTarget.value)}
                error={nameError}
                w={320}
                maw="100%"
              />
              <Button type="submit" loading={add.isPending} disabled={!name.trim()}>
                Add a passkey
              </Button>
            </Group>
            {!nameError ? (
              <div style={{ marginTop: 'var(--mantine-spacing-sm)' }}>
                <FormError error={add.error} />
              </div>
            ) : null}
          </form>
        ) : (
          <Text size="sm">This browser cannot use passkeys.</Text>
        )}
      </Stack>
      <ConfirmModal
        opened={renaming !== null}
        onClose={() => setRenaming(null)}
        title="Rename the passkey"
        confirmLabel="Rename"
        onConfirm={() => renaming && rename.mutate(renaming)}
        pending={rename.isPending}
        error={rename.error}
        confirmDisabled={!newName.trim()}
      >
        <TextInput
          label="Name"
          value={newName}
          maxLength={100}
          onChange={(e) => setNewName(e.currentTarget.value)}
          data-autofocus
        />
      </ConfirmModal>
      <ConfirmModal
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        title="Remove the passkey?"
        confirmLabel="Remove passkey"
        danger
        onConfirm={() => removing && remove.mutate(removing)}
        pending={remove.isPending}
        error={remove.error}
      >
        <Text size="sm">
          “{removing?.name}” will no longer sign you in. Remove it from the device too if you no longer use
          it.
        </Text>
      </ConfirmModal>
    </Card>
  );
}
