import { archiveDepartment } from '../../../domain/departments/archive-department.js';
import { createDepartment } from '../../../domain/departments/create-department.js';
import { moveDepartment } from '../../../domain/departments/move-department.js';
import { setDepartmentManagers } from '../../../domain/departments/set-department-managers.js';
import {
  addDepartmentMembers,
  type MemberAddition,
} from '../../../domain/departments/add-department-members.js';
import { setUserDepartments } from '../../../domain/departments/set-user-departments.js';
import { updateDepartment } from '../../../domain/departments/update-department.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { DepartmentRef } from './department.js';
import { PermissionNameEnum, RoleKeyEnum } from './enums.js';
import { UserPayload } from './lifecycle-mutations.js';
import { UserError, runMutation, toUserError } from './user-error.js';

const DepartmentPayload = builder.objectRef<{ department?: unknown; userErrors: unknown[] }>(
  'DepartmentPayload',
);
DepartmentPayload.implement({
  description: 'The department after the change, or why it did not apply.',
  fields: (t) => ({
    department: t.field({
      type: DepartmentRef,
      nullable: true,
      resolve: (p) => (p.department ?? null) as never,
    }),
    userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors as never }),
  }),
});

const addedPermissionsHelp =
  'Platform permissions (investigations, documents, reports, api) held by the members of the department ' +
  'and of its subtree. You must hold each one you add or remove for the whole organisation.';
const managerPermissionsHelp =
  'What the department’s managers may do over its subtree (user administration only). You must hold ' +
  'each one you add or remove for the whole organisation.';

const CreateDepartmentInput = builder.inputType('CreateDepartmentInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    code: t.string({ description: 'Unique among live departments: 1-32 of A-Z, 0-9, _ and -.' }),
    description: t.string(),
    parentId: t.id({ description: 'A root department when absent.' }),
    costCentre: t.string(),
    monthlyCostPerSeat: t.float({ description: 'Inherited from the parent when absent.' }),
    addedPermissions: t.field({
      type: [PermissionNameEnum],
      description: addedPermissionsHelp,
    }),
    managerPermissions: t.field({
      type: [PermissionNameEnum],
      description: `${managerPermissionsHelp} The default set when absent or null.`,
    }),
  }),
});

const UpdateDepartmentInput = builder.inputType('UpdateDepartmentInput', {
  description: 'Absent fields are kept; null clears an optional field.',
  fields: (t) => ({
    departmentId: t.id({ required: true }),
    name: t.string(),
    code: t.string(),
    description: t.string(),
    costCentre: t.string(),
    monthlyCostPerSeat: t.float(),
    addedPermissions: t.field({
      type: [PermissionNameEnum],
      description: `${addedPermissionsHelp} The complete list; null or empty removes them all.`,
    }),
    managerPermissions: t.field({
      type: [PermissionNameEnum],
      description: `${managerPermissionsHelp} The complete set; null goes back to the default set.`,
    }),
    scimRole: t.field({
      type: RoleKeyEnum,
      description:
        'The role this department grants to the people an identity provider adds to it as a SCIM group ' +
        '(a group→role mapping); null removes it. Not a privileged role; you must be able to grant it and ' +
        'hold `users:change_role` org-wide. Members’ roles follow on their next SCIM membership change.',
    }),
    expectedVersion: t.int(),
  }),
});

const MoveDepartmentInput = builder.inputType('MoveDepartmentInput', {
  fields: (t) => ({
    departmentId: t.id({ required: true }),
    newParentId: t.id({ description: 'Null makes the department a root.' }),
    expectedVersion: t.int(),
  }),
});

const ArchiveDepartmentInput = builder.inputType('ArchiveDepartmentInput', {
  fields: (t) => ({
    departmentId: t.id({ required: true }),
    moveMembersTo: t.id({ description: 'Where the subtree’s members go (outside the subtree).' }),
    expectedVersion: t.int(),
  }),
});

const SetDepartmentManagersInput = builder.inputType('SetDepartmentManagersInput', {
  fields: (t) => ({
    departmentId: t.id({ required: true }),
    userIds: t.idList({ required: true, description: 'The complete list; empty removes all managers.' }),
  }),
});

const PlacementInput = builder.inputType('PlacementInput', {
  description: 'A user’s departments: the primary one and the secondary ones.',
  fields: (t) => ({
    primaryDepartmentId: t.id(),
    secondaryDepartmentIds: t.idList({ defaultValue: [] }),
  }),
});

const SetUserDepartmentsInput = builder.inputType('SetUserDepartmentsInput', {
  fields: (t) => ({
    userId: t.id({ required: true }),
    primaryDepartmentId: t.id(),
    secondaryDepartmentIds: t.idList({ defaultValue: [] }),
    expectedPlacement: t.field({
      type: PlacementInput,
      description:
        'The placement you read before choosing this one: when it is no longer the user’s, VERSION_CONFLICT instead of replacing a change someone else made meanwhile.',
    }),
  }),
});

const AddDepartmentMembersInput = builder.inputType('AddDepartmentMembersInput', {
  fields: (t) => ({
    departmentId: t.id({ required: true }),
    userIds: t.idList({ required: true, description: 'At most 100.' }),
  }),
});

const MemberAdditionFailure = builder
  .objectRef<Extract<MemberAddition, { outcome: 'failed' }>>('MemberAdditionFailure')
  .implement({
    description: 'A person who could not be added, and why.',
    fields: (t) => ({
      userId: t.exposeID('userId'),
      error: t.field({ type: UserError, resolve: (f) => toUserError(f.error) }),
    }),
  });

const AddDepartmentMembersPayload = builder
  .objectRef<{ results?: MemberAddition[]; userErrors: unknown[] }>('AddDepartmentMembersPayload')
  .implement({
    fields: (t) => ({
      addedUserIds: t.idList({
        nullable: true,
        resolve: (p) => p.results?.filter((r) => r.outcome === 'added').map((r) => r.userId) ?? null,
      }),
      alreadyMemberUserIds: t.idList({
        nullable: true,
        description: 'Already in the department: left as they were.',
        resolve: (p) => p.results?.filter((r) => r.outcome === 'already_member').map((r) => r.userId) ?? null,
      }),
      failed: t.field({
        type: [MemberAdditionFailure],
        nullable: true,
        resolve: (p) =>
          p.results?.filter(
            (r): r is Extract<MemberAddition, { outcome: 'failed' }> => r.outcome === 'failed',
          ) ?? null,
      }),
      userErrors: t.field({ type: [UserError], resolve: (p) => p.userErrors as never }),
    }),
  });

const placementOf = (p: {
  primaryDepartmentId?: string | number | null;
  secondaryDepartmentIds?: (string | number)[] | null;
}) => ({
  primaryDepartmentId: p.primaryDepartmentId == null ? null : String(p.primaryDepartmentId),
  secondaryDepartmentIds: (p.secondaryDepartmentIds ?? []).map(String),
});

/** Keeps absent fields absent and explicit nulls null (update semantics). */
function present<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

builder.mutationFields((t) => ({
  createDepartment: t.field({
    type: DepartmentPayload,
    description: 'Create a department. Requires `departments:manage`.',
    args: { input: t.arg({ type: CreateDepartmentInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        department: await createDepartment(commandContext(ctx), {
          ...present(input),
          name: input.name,
          parentId: input.parentId == null ? null : String(input.parentId),
        }),
      })),
  }),
  updateDepartment: t.field({
    type: DepartmentPayload,
    description:
      'Change a department’s name, code, description, cost fields, permissions or group→role mapping. Requires `departments:manage`.',
    args: { input: t.arg({ type: UpdateDepartmentInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        department: await updateDepartment(commandContext(ctx), {
          ...present(input),
          name: input.name ?? undefined,
          departmentId: String(input.departmentId),
        }),
      })),
  }),
  moveDepartment: t.field({
    type: DepartmentPayload,
    description: 'Move a department and its subtree under another parent (never into itself).',
    args: { input: t.arg({ type: MoveDepartmentInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        department: await moveDepartment(commandContext(ctx), {
          departmentId: String(input.departmentId),
          newParentId: input.newParentId == null ? null : String(input.newParentId),
          expectedVersion: input.expectedVersion ?? null,
        }),
      })),
  }),
  archiveDepartment: t.field({
    type: DepartmentPayload,
    description:
      'Archive a department with no live sub-departments; its members must move (`moveMembersTo`).',
    args: { input: t.arg({ type: ArchiveDepartmentInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        department: await archiveDepartment(commandContext(ctx), {
          departmentId: String(input.departmentId),
          moveMembersTo: input.moveMembersTo == null ? null : String(input.moveMembersTo),
          expectedVersion: input.expectedVersion ?? null,
        }),
      })),
  }),
  setDepartmentManagers: t.field({
    type: DepartmentPayload,
    description:
      'Name the managers of a department (active or invited users). Requires `departments:manage`.',
    args: { input: t.arg({ type: SetDepartmentManagersInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        department: await setDepartmentManagers(commandContext(ctx), {
          departmentId: String(input.departmentId),
          userIds: input.userIds.map(String),
        }),
      })),
  }),
  setUserDepartments: t.field({
    type: UserPayload,
    description: 'Place a user in a primary department and secondary ones. Requires `users:update`.',
    args: { input: t.arg({ type: SetUserDepartmentsInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        user: await setUserDepartments(commandContext(ctx), {
          userId: String(input.userId),
          ...placementOf(input),
          expectedPlacement: input.expectedPlacement ? placementOf(input.expectedPlacement) : null,
        }),
      })),
  }),
  addDepartmentMembers: t.field({
    type: AddDepartmentMembersPayload,
    description:
      'Add people to a department, each keeping their other departments (it becomes the primary one of someone in none). Each person is changed under their own lock, so a concurrent change is kept; who cannot be added is listed in `failed`. Requires `users:update` over each person.',
    args: { input: t.arg({ type: AddDepartmentMembersInput, required: true }) },
    resolve: (_r, { input }, ctx) =>
      runMutation(async () => ({
        results: await addDepartmentMembers(commandContext(ctx), {
          departmentId: String(input.departmentId),
          userIds: input.userIds.map(String),
        }),
      })),
  }),
}));
