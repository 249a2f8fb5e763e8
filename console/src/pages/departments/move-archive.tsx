import { Alert, Select, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { request } from '../../api/client';
import {
  ArchiveDepartment,
  DepartmentSummaryQuery,
  MoveDepartment,
  type TreeDepartment,
} from '../../api/departments-documents';
import { unwrapPayload } from '../../api/errors';
import { ConfirmModal } from '../../ui/confirm-modal';
import { departmentOptions, pathLabel, subtreeIds, type Tree } from './tree-model';
import { useDepartmentChange } from './use-departments';

interface Target {
  id: string;
  name: string;
  parentId: string | null;
  version: number;
}

const topLevel = '__top__';

/**
 * Move a department (with its subtree) under another parent, or to the top level. The API refuses a move
 * into the department's own subtree (a cycle); its message is shown here.
 */
export function MoveDepartmentModal({
  tree,
  department,
  initialParentId,
  onClose,
}: {
  tree: Tree<TreeDepartment>;
  department: Target;
  /** The parent chosen by dragging, if the move started with a drop. */
  initialParentId?: string | null;
  onClose: () => void;
}) {
  const [parent, setParent] = useState<string | null>(initialParentId ?? null);
  const newParentId = parent === topLevel ? null : parent;
  const move = useDepartmentChange(
    async () =>
      unwrapPayload(
        (
          await request(MoveDepartment, {
            input: { departmentId: department.id, newParentId, expectedVersion: department.version },
          })
        ).moveDepartment,
      ),
    `${department.name} is moved.`,
    onClose,
  );
  const options = [
    ...(department.parentId ? [{ value: topLevel, label: 'None: make it a top-level department' }] : []),
    ...departmentOptions(
      tree,
      new Set([department.id, ...(department.parentId ? [department.parentId] : [])]),
    ),
  ];
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Move ${department.name}`}
      confirmLabel="Move"
      onConfirm={() => move.mutate(undefined)}
      pending={move.isPending}
      error={move.error}
      confirmDisabled={parent === null}
    >
      <Text size="sm">
        Now in:{' '}
        {department.parentId ? pathLabel(tree, department.parentId) || 'a department' : 'the top level'}. Its
        sub-departments move with it; the rights of its managers and members follow at once.
      </Text>
      <Select
        label="New parent department"
        placeholder="Choose a department"
        data={options}
        value={parent}
        onChange={setParent}
        searchable
        nothingFoundMessage="No such department"
        // Chosen by dragging: focus stays off the picker, whose list would open over the buttons.
        data-autofocus={initialParentId ? undefined : true}
      />
    </ConfirmModal>
  );
}

/**
 * Archive a department. The API refuses while it has live sub-departments, or live members unless they are
 * moved elsewhere in the same action (`moveMembersTo`); its refusal is shown here.
 */
export function ArchiveDepartmentModal({
  tree,
  department,
  onClose,
  onArchived,
}: {
  tree: Tree<TreeDepartment>;
  department: Target;
  onClose: () => void;
  onArchived?: () => void;
}) {
  const [target, setTarget] = useState<string | null>(null);
  const summary = useQuery({
    queryKey: ['department', department.id, 'summary'],
    queryFn: async () => (await request(DepartmentSummaryQuery, { id: department.id })).department,
  });
  const archive = useDepartmentChange(
    async () =>
      unwrapPayload(
        (
          await request(ArchiveDepartment, {
            input: {
              departmentId: department.id,
              moveMembersTo: target,
              expectedVersion: department.version,
            },
          })
        ).archiveDepartment,
      ),
    `${department.name} is archived.`,
    () => {
      onClose();
      onArchived?.();
    },
  );
  const children = tree.byId.get(department.id)?.children.length ?? 0;
  const members = summary.data?.subtreeMembers ?? null;
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={`Archive ${department.name}`}
      confirmLabel="Archive"
      danger
      onConfirm={() => archive.mutate(undefined)}
      pending={archive.isPending}
      error={archive.error}
    >
      <Text size="sm">
        An archived department disappears from the tree and can take no new members. Its history and audit
        trail are kept.
      </Text>
      {children > 0 ? (
        <Alert color="yellow" variant="light">
          It has {children} live sub-department{children === 1 ? '' : 's'}: move or archive them first.
        </Alert>
      ) : null}
      <Text size="sm" aria-live="polite">
        {members === null
          ? 'Counting its members…'
          : members === 0
            ? 'It has no members.'
            : `${members} member${members === 1 ? '' : 's'} (invited, active or suspended) must move to another department.`}
      </Text>
      <Select
        label="Move its members to"
        description="Their primary and secondary memberships move there, each change audited."
        placeholder="Choose a department"
        data={departmentOptions(tree, subtreeIds(tree, department.id))}
        value={target}
        onChange={setTarget}
        searchable
        clearable
        nothingFoundMessage="No such department"
      />
    </ConfirmModal>
  );
}
