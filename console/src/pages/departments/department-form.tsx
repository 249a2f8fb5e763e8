import { NumberInput, Select, SimpleGrid, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { request } from '../../api/client';
import { CreateDepartment, UpdateDepartment, type TreeDepartment } from '../../api/departments-documents';
import { unwrapPayload } from '../../api/errors';
import { ConfirmModal } from '../../ui/confirm-modal';
import { departmentOptions, type Tree } from './tree-model';
import { useRoles } from '../../auth/viewer';
import type { RoleKey } from '../users/users-view';
import { useDepartmentChange } from './use-departments';

/** What the form edits; absent for a new department. */
export interface EditableDepartment {
  id: string;
  name: string;
  code: string | null;
  description?: string | null;
  costCentre: string | null;
  monthlyCostPerSeat: number | null;
  version: number;
  /** The role SCIM membership grants (group→role mapping), when loaded. */
  scimRole?: string | null;
}

const noRole = '__none__';

const codePattern = /^[A-Z0-9_-]{1,32}$/;

/**
 * Create a department (under `parentId`, or at the top) or edit one: name, code, description, cost centre
 * and monthly cost per seat (empty: inherited from the parent).
 */
export function DepartmentFormModal({
  tree,
  department,
  parentId = null,
  onClose,
  onCreated,
}: {
  tree: Tree<TreeDepartment>;
  department?: EditableDepartment;
  parentId?: string | null;
  onClose: () => void;
  onCreated?: (id: string) => void;
}) {
  const editing = department !== undefined;
  const [name, setName] = useState(department?.name ?? '');
  const [code, setCode] = useState(department?.code ?? '');
  const [description, setDescription] = useState(department?.description ?? '');
  const [costCentre, setCostCentre] = useState(department?.costCentre ?? '');
  const [rate, setRate] = useState<number | string>(department?.monthlyCostPerSeat ?? '');
  const [parent, setParent] = useState<string | null>(parentId);
  const [scimRole, setScimRole] = useState<string>(department?.scimRole ?? noRole);
  const roles = useRoles();
  // Offered to who may grant roles, and only the roles a group may grant (none privileged).
  const mappable = (roles.data ?? []).filter((r) => r.viewerCanGrant && !r.privileged);
  const mappingKnown = editing && department.scimRole !== undefined && mappable.length > 0;
  const scimRoleChanged = mappingKnown && scimRole !== (department.scimRole ?? noRole);
  const codeText = code.trim().toUpperCase();
  const codeInvalid = codeText !== '' && !codePattern.test(codeText);
  // A description not loaded is left as it is (absent fields are kept), never cleared by mistake.
  const knowsDescription = !editing || department.description !== undefined;
  const fields = {
    name: name.trim(),
    code: codeText || null,
    ...(knowsDescription ? { description: description.trim() || null } : {}),
    costCentre: costCentre.trim() || null,
    monthlyCostPerSeat: rate === '' ? null : Number(rate),
    // Sent only when changed: editing a name never needs the right to change roles.
    ...(scimRoleChanged ? { scimRole: scimRole === noRole ? null : (scimRole as RoleKey) } : {}),
  };

  const save = useDepartmentChange(
    async () => {
      if (department) {
        const p = unwrapPayload(
          (
            await request(UpdateDepartment, {
              input: { departmentId: department.id, expectedVersion: department.version, ...fields },
            })
          ).updateDepartment,
        );
        return p.department?.id ?? department.id;
      }
      const p = unwrapPayload(
        (await request(CreateDepartment, { input: { ...fields, parentId: parent } })).createDepartment,
      );
      return p.department?.id ?? '';
    },
    editing ? `${fields.name} is saved.` : `${fields.name} is created.`,
    (id) => {
      onClose();
      if (!editing && id) onCreated?.(id);
    },
  );

  const parentName = parent ? tree.byId.get(parent)?.department.name : null;
  return (
    <ConfirmModal
      opened
      onClose={onClose}
      title={
        editing
          ? `Edit ${department.name}`
          : parentName
            ? `New department in ${parentName}`
            : 'New department'
      }
      confirmLabel={editing ? 'Save' : 'Create department'}
      onConfirm={() => save.mutate(undefined)}
      pending={save.isPending}
      error={save.error}
      confirmDisabled={!fields.name || codeInvalid}
    >
      {editing ? null : (
        <Select
          label="Parent department"
          description="Leave empty for a top-level department."
          placeholder="None: top level"
          data={departmentOptions(tree)}
          value={parent}
          onChange={setParent}
          searchable
          clearable
          nothingFoundMessage="No such department"
        />
      )}
      <TextInput
        label="Name"
        required
        maxLength={200}
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        data-autofocus
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Code"
          description="Optional, unique: 1–32 of A–Z, 0–9, _ and -."
          maxLength={32}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value.toUpperCase())}
          error={codeInvalid ? 'Use only A–Z, 0–9, _ and - (up to 32).' : null}
        />
        <TextInput
          label="Cost centre"
          description="Optional; inherited from the parent when empty."
          maxLength={64}
          value={costCentre}
          onChange={(e) => setCostCentre(e.currentTarget.value)}
        />
      </SimpleGrid>
      <NumberInput
        label="Monthly cost per seat"
        description="Optional; empty inherits the parent’s rate."
        min={0}
        decimalScale={2}
        fixedDecimalScale={false}
        thousandSeparator=","
        value={rate}
        onChange={setRate}
      />
      {mappingKnown ? (
        <Select
          label="Role for members added by SCIM"
          description="People an identity provider adds to this department as a group get this role; leaving takes it back. Roles chosen by a person are only ever raised."
          data={[{ value: noRole, label: 'None' }, ...mappable.map((r) => ({ value: r.key, label: r.name }))]}
          value={scimRole}
          onChange={(v) => setScimRole(v ?? noRole)}
          allowDeselect={false}
        />
      ) : null}
      {knowsDescription ? (
        <Textarea
          label="Description"
          autosize
          minRows={2}
          maxLength={2000}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
      ) : null}
    </ConfirmModal>
  );
}
