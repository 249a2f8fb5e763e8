import {
  Button,
  Card,
  Code,
  Group,
  Image,
  PasswordInput,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { BeginTotpEnrolment, ConfirmTotpEnrolment, RemoveTotpFactor } from '../../api/mfa';
import { ConfirmModal } from '../../ui/confirm-modal';
import { useDates } from '../../ui/dates';
import { notifyDone } from '../../ui/notify';
import { FormError } from '../../ui/states';
import { mfaRequirementKey } from './mfa-requirement-api';

export const myFactorsKey = ['me', 'factors'] as const;

interface Factor {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/**
 * "My security" → Authenticator app: set one up (QR code, the secret for typing by hand, confirmed by a
 * first code), or remove it (current password or a code). Confirming the first app also brings the first
 * recovery codes, which the page shows once (`onRecoveryCodes`).
 */
export function AuthenticatorSection({
  factor,
  onRecoveryCodes,
}: {
  factor: Factor | null;
  onRecoveryCodes: (codes: readonly string[]) => void;
}) {
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="authenticator-section-title">
      <Stack gap="sm">
        <Stack gap={2}>
          <Title order={2} size="h3" id="authenticator-section-title">
            Authenticator app
          </Title>
          <Text size="sm" c="dimmed">
            A second step at sign-in: a 6-digit code from an app on your phone (any TOTP app).
          </Text>
        </Stack>
        {factor ? <Enrolled factor={factor} /> : <Enrol onRecoveryCodes={onRecoveryCodes} />}
      </Stack>
    </Card>
  );
}

function Enrolled({ factor }: { factor: Factor }) {
  const dates = useDates();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState(false);
  const [how, setHow] = useState<'password' | 'code'>('password');
  const [secret, setSecret] = useState('');
  const remove = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(RemoveTotpFactor, {
            input: how === 'password' ? { currentPassword: secret } : { code: secret.replace(/\s+/g, '') },
          })
        ).removeTotpFactor,
      ),
    onSuccess: async () => {
      setRemoving(false);
      setSecret('');
      notifyDone('The authenticator app is removed. Signing in asks only for your password.');
      await Promise.all(
        [myFactorsKey, mfaRequirementKey].map((k) => queryClient.invalidateQueries({ queryKey: [...k] })),
      );
    },
  });
  return (
    <>
      <Text size="sm">
        <strong>{factor.name}</strong> — added {dates.dateTime(factor.createdAt)}, last used{' '}
        {factor.lastUsedAt ? dates.dateTime(factor.lastUsedAt) : 'never'}.
      </Text>
      <div>
        <Button variant="default" color="red" onClick={() => setRemoving(true)}>
          Remove the authenticator app
        </Button>
      </div>
      <ConfirmModal
        opened={removing}
        onClose={() => setRemoving(false)}
        title="Remove the authenticator app?"
        confirmLabel="Remove"
        danger
        onConfirm={() => remove.mutate()}
        pending={remove.isPending}
        error={remove.error}
        confirmDisabled={!secret}
      >
        <Text size="sm">Your recovery codes go with it. Prove it is you:</Text>
        <SegmentedControl
          value={how}
          onChange={(v) => {
            setHow(v as 'password' | 'code');
            setSecret('');
          }}
          data={[
            { value: 'password', label: 'Current password' },
            { value: 'code', label: 'Code from the app' },
          ]}
          aria-label="How to prove it is you"
        />
        {how === 'password' ? (
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={secret}
            onChange={(e) => setSecret(e.currentTarget.value)}
            data-autofocus
          />
        ) : (
          <TextInput
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={secret}
            onChange={(e) => setSecret(e.currentTarget.value)}
            data-autofocus
          />
        )}
      </ConfirmModal>
    </>
  );
}

function Enrol({ onRecoveryCodes }: { onRecoveryCodes: (codes: readonly string[]) => void }) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<{ uri: string; secret: string; qr: string } | null>(null);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const begin = useMutation({
    mutationFn: async () => {
      const p = unwrapPayload((await request(BeginTotpEnrolment)).beginTotpEnrolment);
      const uri = p.otpauthUri ?? '';
      return { uri, secret: p.secret ?? '', qr: await QRCode.toDataURL(uri, { margin: 1, width: 200 }) };
    },
    onSuccess: (p) => setPending(p),
  });
  const confirm = useMutation({
    mutationFn: async () =>
      unwrapPayload(
        (
          await request(ConfirmTotpEnrolment, {
            input: { code: code.replace(/\s+/g, ''), name: name.trim() || null },
          })
        ).confirmTotpEnrolment,
      ),
    onSuccess: async (p) => {
      setPending(null);
      setCode('');
      if (p.recoveryCodes) onRecoveryCodes(p.recoveryCodes);
      notifyDone('The authenticator app is set up. Signing in now asks for its code.');
      await Promise.all(
        [myFactorsKey, mfaRequirementKey].map((k) => queryClient.invalidateQueries({ queryKey: [...k] })),
      );
    },
  });
  if (!pending) {
    return (
      <Stack gap="xs" align="flex-start">
        <FormError error={begin.error} />
        <Button onClick={() => begin.mutate()} loading={begin.isPending}>
          Set up an authenticator app
        </Button>
      </Stack>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) confirm.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Text size="sm">1. Scan this QR code with your authenticator app.</Text>
        <Image src={pending.qr} alt="QR code for the authenticator app" w={200} h={200} />
        <Text size="sm">
          Cannot scan? Type this key into the app instead:{' '}
          <Code data-testid="totp-secret">{pending.secret}</Code>
        </Text>
        <Text size="sm">2. Type the code the app shows to finish.</Text>
        <Group align="flex-end" gap="sm">
          <TextInput
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            w={180}
            autoFocus
          />
          <TextInput
            label="Name (optional)"
            placeholder="Phone"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            w={200}
          />
        </Group>
        <FormError error={confirm.error} />
        <Group gap="xs">
          <Button type="submit" loading={confirm.isPending} disabled={!code.trim()}>
            Confirm
          </Button>
          <Button variant="default" onClick={() => setPending(null)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
