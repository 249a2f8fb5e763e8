import {
  Button,
  Card,
  Checkbox,
  Group,
  MultiSelect,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { useRoles } from '../../auth/viewer';
import { fieldError, isFieldError } from '../../ui/field-errors';
import { notifyDone } from '../../ui/notify';
import { ScrollTable } from '../../ui/scroll-table';
import { FormError } from '../../ui/states';
import { adminNoticeKinds, noticeKindNames } from './notice-kinds';
import {
  settingsKey,
  UpdateNotificationSettings,
  type NoticeKind,
  type NotificationSettings,
  type RoleKey,
} from './settings-api';

interface KindAudience {
  own: boolean;
  responsible: boolean;
  roles: RoleKey[];
  /** People named through the API; kept as they are (this form does not edit them). */
  userIds: string[];
}

const fields = ['responsibleRecipients', 'adminRecipients', 'byKind', 'resetKinds'] as const;

/**
 * Who hears about changes to a user: the defaults (the people responsible for the user, roles), and per
 * kind of notice either the defaults or an audience of its own.
 */
export function AudienceForm({ settings }: { settings: NotificationSettings }) {
  const queryClient = useQueryClient();
  const roles = useRoles();
  const roleOptions = (roles.data ?? []).map((r) => ({ value: r.key, label: r.name }));
  const [responsible, setResponsible] = useState(settings.responsibleRecipients);
  const [defaultRoles, setDefaultRoles] = useState<RoleKey[]>(settings.adminRecipients);
  const [byKind, setByKind] = useState<Record<string, KindAudience>>(() =>
    Object.fromEntries(
      adminNoticeKinds.map((kind) => {
        const o = settings.byKind.find((e) => e.kind === kind);
        return [
          kind,
          o
            ? { own: true, responsible: o.responsible, roles: o.roles, userIds: o.userIds }
            : { own: false, responsible: true, roles: [], userIds: [] },
        ];
      }),
    ),
  );
  const setKind = (kind: NoticeKind, patch: Partial<KindAudience>) =>
    setByKind((old) => ({ ...old, [kind]: { ...old[kind]!, ...patch } }));

  const save = useMutation({
    mutationFn: async () => {
      const own = adminNoticeKinds.filter((k) => byKind[k]!.own);
      const reset = adminNoticeKinds.filter(
        (k) => !byKind[k]!.own && settings.byKind.some((e) => e.kind === k),
      );
      return unwrapPayload(
        (
          await request(UpdateNotificationSettings, {
            input: {
              responsibleRecipients: responsible,
              adminRecipients: defaultRoles,
              byKind: own.map((kind) => {
                const a = byKind[kind]!;
                return { kind, responsible: a.responsible, roles: a.roles, userIds: a.userIds };
              }),
              resetKinds: reset,
            },
          })
        ).updateNotificationSettings,
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: settingsKey });
      notifyDone('Who is told about changes is saved.');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const error = (f: string) => fieldError(save.error, f)?.replace(/^[\w.]+: /, '');

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="audience-title">
      <form onSubmit={submit} noValidate>
        <Stack>
          <div>
            <Title order={2} size="h4" id="audience-title">
              Who is told about changes to a user
            </Title>
            <Text c="dimmed" size="sm">
              Administrators get an in-app notice and an email (at most two emails per 15 minutes) when
              someone is activated, suspended, reactivated, deactivated, changes role or is signed out.
            </Text>
          </div>
          <Switch
            label="The people responsible for the user"
            description="The managers of the user’s departments and of the departments above them (at most 10), and security officers (at most 10); owners when there is neither."
            checked={responsible}
            onChange={(e) => setResponsible(e.currentTarget.checked)}
            error={error('responsibleRecipients')}
          />
          <MultiSelect
            label="Everyone holding these roles"
            description="Told as well, by default. A role can have many holders: prefer the people responsible."
            placeholder={defaultRoles.length === 0 ? 'No role' : undefined}
            data={roleOptions}
            value={defaultRoles}
            onChange={(v) => setDefaultRoles(v as RoleKey[])}
            error={error('adminRecipients')}
            clearable
            clearButtonProps={{ 'aria-label': 'Clear the default roles' }}
          />
          {settings.adminRecipientUserIds.length > 0 ? (
            <Text size="sm">
              {settings.adminRecipientUserIds.length === 1
                ? 'One person named through the API is told as well.'
                : `${settings.adminRecipientUserIds.length} people named through the API are told as well.`}
            </Text>
          ) : null}
          <ScrollTable minWidth={760} label="Audience per kind of notice">
            <Table verticalSpacing="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Notice</Table.Th>
                  <Table.Th scope="col">Audience</Table.Th>
                  <Table.Th scope="col">Who is told</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {adminNoticeKinds.map((kind) => {
                  const a = byKind[kind]!;
                  const name = noticeKindNames[kind];
                  return (
                    <Table.Tr key={kind}>
                      <Table.Th scope="row" fw={500}>
                        {name}
                      </Table.Th>
                      <Table.Td w={220}>
                        <Select
                          aria-label={`Audience for ${name}`}
                          data={[
                            { value: 'default', label: 'As above' },
                            { value: 'own', label: 'Its own audience' },
                          ]}
                          value={a.own ? 'own' : 'default'}
                          onChange={(v) => setKind(kind, { own: v === 'own' })}
                          allowDeselect={false}
                        />
                      </Table.Td>
                      <Table.Td>
                        {a.own ? (
                          <Stack gap="xs">
                            <Checkbox
                              label="The people responsible for the user"
                              aria-label={`${name}: the people responsible for the user`}
                              checked={a.responsible}
                              onChange={(e) => setKind(kind, { responsible: e.currentTarget.checked })}
                            />
                            <MultiSelect
                              aria-label={`${name}: roles told`}
                              placeholder={a.roles.length === 0 ? 'No role' : undefined}
                              data={roleOptions}
                              value={a.roles}
                              onChange={(v) => setKind(kind, { roles: v as RoleKey[] })}
                              clearable
                              clearButtonProps={{ 'aria-label': `Clear the roles told about ${name}` }}
                            />
                            {!a.responsible && a.roles.length === 0 && a.userIds.length === 0 ? (
                              <Text size="sm" c="red.9">
                                Nobody is told about this kind.
                              </Text>
                            ) : null}
                          </Stack>
                        ) : (
                          <Text size="sm" c="dimmed">
                            The defaults above
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </ScrollTable>
          {error('byKind') ? (
            <Text size="sm" c="red.8" role="alert">
              {error('byKind')}
            </Text>
          ) : null}
          {isFieldError(save.error, fields) ? null : <FormError error={save.error} />}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save who is told
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
