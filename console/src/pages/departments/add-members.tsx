import { List, MultiSelect, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../../api/client';
import { unwrapPayload } from '../../api/errors';
import { AddDepartmentMembers, MemberCandidatesQuery } from '../../api/user-edits';
import { ConfirmModal } from '../../ui/confirm-modal';
import { notifyDone } from '../../ui/notify';
import { ErrorState } from '../../ui/states';

const personLabel = (u: { displayName: string; email: string }) =>
  u.displayName ? `${u.displayName} (${u.email})` : u.email;

interface Failure {
  userId: string;
  label: string;
  message: string;
}

/**
 * Add people to a department: search, pick several, add. Each person keeps their other departments; the
 * department becomes their primary one when they have none, a secondary one otherwise (decided by the server
 * under each person's lock: addDepartmentMembers); who could not be added is listed with the reason.
 */
export function AddMembersModal({
  departmentId,
  name,
  onClose,
}: {
  departmentId: string;
  name: string;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string[]>([]);
  const [known, setKnown] = useState<Map<string, string>>(() => new Map());
  const [search, setSearch] = useState('');
  const [term] = useDebouncedValue(search.trim(), 250);
  const [failures, setFailures] = useState<Failure[]>([]);
  const candidates = useQuery({
    queryKey: ['users', 'member-candidates', term],
    queryFn: async () => (await request(MemberCandidatesQuery, { search: term || null })).users.nodes,
    placeholderData: keepPreviousData,
  });
  const options = (candidates.data ?? [])
    .filter((u) => !selected.includes(u.id))
    .map((u) => {
      const already = u.departments.some((d) => d.department.id === departmentId);
      return {
        value: u.id,
        label: `${personLabel(u)}${already ? ' — already a member' : ''}`,
        disabled: already || !u.viewerCan.setDepartments,
      };
    });
  const data = [...selected.map((id) => ({ value: id, label: known.get(id) ?? id })), ...options];

  const add = useMutation({
    mutationFn: async () => {
      // One call: the server adds each person under their own lock, so nobody's other departments are
      // replaced by a copy read here a moment earlier.
      const r = unwrapPayload(
        (await request(AddDepartmentMembers, { input: { departmentId, userIds: selected } }))
          .addDepartmentMembers,
      );
      const failed: Failure[] = (r.failed ?? []).map((f) => ({
        userId: f.userId,
        label: known.get(f.userId) ?? f.userId,
        message: f.error.message,
      }));
      return { added: r.addedUserIds?.length ?? 0, failed };
    },
    onSuccess: async ({ added, failed }) => {
      await Promise.all(
        [['users'], ['user'], ['departments'], ['audit']].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      );
      if (added > 0) notifyDone(`${added} ${added === 1 ? 'person is' : 'people are'} added to ${name}.`);
      if (failed.length === 0) onClose();
      else {
        setFailures(failed);
        setSelected((s) => s.filter((id) => failed.some((f) => f.userId === id)));
      }
    },
  });

  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Add members to ${name}`}
      confirmLabel={selected.length > 1 ? `Add ${selected.length} people` : 'Add'}
      onConfirm={() => add.mutate()}
      pending={add.isPending}
      error={add.error}
      confirmDisabled={selected.length === 0}
    >
      <Text size="sm">
        They keep their other departments. For someone in no department, {name} becomes the primary one.
      </Text>
      <MultiSelect
        label="People"
        description="Type a name or an email to find people; pick as many as you need."
        placeholder={selected.length ? undefined : 'Search people'}
        data={data}
        value={selected}
        onChange={(ids) => {
          setKnown((prev) => {
            const next = new Map(prev);
            for (const u of candidates.data ?? []) next.set(u.id, personLabel(u));
            return next;
          });
          setSelected(ids);
          setFailures([]);
        }}
        searchable
        searchValue={search}
        onSearchChange={setSearch}
        filter={({ options: o }) => o}
        nothingFoundMessage={candidates.isFetching ? 'Searching…' : 'Nobody found'}
        clearable
        hidePickedOptions
        data-autofocus
      />
      {candidates.isError ? (
        <ErrorState error={candidates.error} title="People could not be searched" />
      ) : null}
      {failures.length > 0 ? (
        <div role="alert">
          <Text size="sm" fw={500} c="red">
            Not added:
          </Text>
          <List size="sm">
            {failures.map((f) => (
              <List.Item key={f.userId} style={{ overflowWrap: 'anywhere' }}>
                {f.label}: {f.message}
              </List.Item>
            ))}
          </List>
        </div>
      ) : null}
    </ConfirmModal>
  );
}
