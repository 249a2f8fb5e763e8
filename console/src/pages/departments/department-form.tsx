import { NumberInput, Select, SimpleGrid, TextInput, Textarea } from '@mantine/core';
import { useState } from 'react';
import { request } from '../../api/client';
import { CreateDepartment, UpdateDepartment, type TreeDepartment } from '../../api/departments-documents';
import { unwrapPayload } from '../../api/errors';
import { ConfirmModal } from '../../ui/confirm-modal';
import { departmentOptions, type Tree } from './tree-model';
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
}

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
