import { ActionIcon, Alert, Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../../api/client';
import { ApiError, unwrapPayload } from '../../api/errors';
import { EditUserProfile } from '../../api/user-edits';
import type { UserDetail } from '../../api/users';
import { ConfirmModal } from '../../ui/confirm-modal';
import { TimeZoneSelect } from '../../ui/time-zone-select';
import { useUserAction } from './use-user-action';

type AttributeKind = 'text' | 'number' | 'yes' | 'no' | 'empty';
interface AttributeRow {
  key: number;
  name: string;
  kind: AttributeKind;
  text: string;
}

const kindLabels: { value: AttributeKind; label: string }[] = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
  { value: 'empty', label: 'Empty' },
];

function rowsOf(attributes: unknown): AttributeRow[] {
  const entries = attributes && typeof attributes === 'object' ? Object.entries(attributes) : [];
  return entries.map(([name, v], key) => ({
    key,
    name,
    kind:
      typeof v === 'number'
        ? 'number'
        : v === true
          ? 'yes'
          : v === false
            ? 'no'
            : v === null
              ? 'empty'
              : 'text',
    text: typeof v === 'number' || typeof v === 'string' ? String(v) : '',
  }));
}

function valueOf(r: AttributeRow): string | number | boolean | null {
  if (r.kind === 'number') return Number(r.text);
  if (r.kind === 'yes') return true;
  if (r.kind === 'no') return false;
  if (r.kind === 'empty') return null;
  return r.text;
}

const badNumber = (r: AttributeRow) =>
  r.kind === 'number' && (r.text.trim() === '' || !Number.isFinite(Number(r.text)));

/**
 * Edit a user's profile and custom attributes. The write carries the version the page was loaded at; if
 * someone else changed the user meanwhile the API refuses it (VERSION_CONFLICT) and the dialog offers to
 * reload the current values instead of overwriting theirs.
 */
export function EditProfileModal({ user, onClose }: { user: UserDetail; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [jobTitle, setJobTitle] = useState(user.jobTitle ?? '');
  const [phone, setPhone] = useState(user.phone ?? '');
  const [locale, setLocale] = useState(user.locale ?? '');
  const [timeZone, setTimeZone] = useState<string | null>(user.timeZone ?? null);
  const [initialRows] = useState(() => rowsOf(user.attributes));
  const [rows, setRows] = useState<AttributeRow[]>(initialRows);
  const [nextKey, setNextKey] = useState(initialRows.length);
  const name = user.displayName || user.email;

  const attributes = Object.fromEntries(
    rows.filter((r) => r.name.trim()).map((r) => [r.name.trim(), valueOf(r)]),
  );
  // Attributes are sent only when they changed: a user editing their own profile may not touch them.
  const attributesChanged = JSON.stringify(attributes) !== JSON.stringify(user.attributes ?? {});
  const names = rows.map((r) => r.name.trim()).filter(Boolean);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);

  const save = useUserAction(
    async () =>
      unwrapPayload(
        (
          await request(EditUserProfile, {
            input: {
              userId: user.id,
              expectedVersion: user.version,
              displayName: displayName.trim(),
              jobTitle: jobTitle.trim() || null,
              phone: phone.trim() || null,
              locale: locale.trim() || null,
              timeZone: timeZone || null,
              ...(attributesChanged ? { attributes } : {}),
            },
          })
        ).updateUserProfile,
      ),
    `The profile of ${name} is saved.`,
    onClose,
  );
  const conflict = save.error instanceof ApiError && save.error.has('VERSION_CONFLICT');
  const update = (key: number, patch: Partial<AttributeRow>) =>
    setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Edit the profile of ${name}`}
      confirmLabel="Save profile"
      onConfirm={() => save.mutate(undefined)}
      pending={save.isPending}
      error={conflict ? null : save.error}
      confirmDisabled={!displayName.trim() || conflict || duplicate !== undefined || rows.some(badNumber)}
    >
      {conflict ? (
        <Alert color="orange" title="Changed by someone else" role="alert">
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              {name}’s record was changed by someone else after you opened it, so nothing was saved. Reload to
              see the current profile, then make your change again.
            </Text>
            <Button
              size="xs"
              variant="light"
              color="orange"
              onClick={() => {
                onClose();
                void queryClient.invalidateQueries({ queryKey: ['user', user.id] });
              }}
            >
              Reload
            </Button>
          </Stack>
        </Alert>
      ) : null}
      <TextInput label="Email" value={user.email} readOnly description="The email cannot be changed here." />
      <TextInput
        label="Name"
        required
        maxLength={200}
        value={displayName}
        onChange={(e) => setDisplayName(e.currentTarget.value)}
        data-autofocus
      />
      <TextInput
        label="Job title"
        maxLength={200}
        value={jobTitle}
        onChange={(e) => setJobTitle(e.currentTarget.value)}
      />
      <TextInput
        label="Phone"
        type="tel"
        maxLength={40}
        value={phone}
        onChange={(e) => setPhone(e.currentTarget.value)}
      />
      <TextInput
        label="Language"
        description="A language tag such as en-GB."
        maxLength={35}
        value={locale}
        onChange={(e) => setLocale(e.currentTarget.value)}
      />
      <TimeZoneSelect
        value={timeZone}
        onChange={setTimeZone}
        description="Dates and times in their emails are shown in this zone."
      />
      <Stack gap="xs" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
        <Text component="legend" size="sm" fw={500}>
          Custom attributes
        </Text>
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed">
            None.
          </Text>
        ) : null}
        {rows.map((r, i) => (
          <Group key={r.key} gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              aria-label={`Attribute ${i + 1} name`}
              placeholder="name"
              maxLength={64}
              value={r.name}
              onChange={(e) => update(r.key, { name: e.currentTarget.value })}
              error={duplicate !== undefined && r.name.trim() === duplicate ? 'Used twice' : null}
              style={{ flex: 2 }}
            />
            <NativeSelect
              aria-label={`Attribute ${i + 1} kind`}
              data={kindLabels}
              value={r.kind}
              onChange={(e) => update(r.key, { kind: e.currentTarget.value as AttributeKind })}
              style={{ flex: 1 }}
            />
            {r.kind === 'text' || r.kind === 'number' ? (
              <TextInput
                aria-label={`Attribute ${i + 1} value`}
                placeholder="value"
                maxLength={1000}
                inputMode={r.kind === 'number' ? 'decimal' : undefined}
                value={r.text}
                onChange={(e) => update(r.key, { text: e.currentTarget.value })}
                error={badNumber(r) ? 'Not a number' : null}
                style={{ flex: 3 }}
              />
            ) : (
              <div style={{ flex: 3 }} />
            )}
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={`Remove attribute ${r.name.trim() || i + 1}`}
              onClick={() => setRows((rs) => rs.filter((x) => x.key !== r.key))}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        <Group>
          <Button
            variant="default"
            size="xs"
            disabled={rows.length >= 50}
            onClick={() => {
              setRows((rs) => [...rs, { key: nextKey, name: '', kind: 'text', text: '' }]);
              setNextKey((k) => k + 1);
            }}
          >
            Add attribute
          </Button>
        </Group>
      </Stack>
    </ConfirmModal>
  );
}
