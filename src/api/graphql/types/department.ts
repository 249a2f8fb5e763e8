import DataLoader from 'dataloader';
import type { DepartmentRow } from '../../../db/schema.js';
import { RoleKeyEnum } from './enums.js';
import {
  departmentActionsOf,
  noDepartmentActions,
  type DepartmentActions,
} from '../../../domain/departments/department-actions.js';
import {
  departmentAncestors,
  departmentChildren,
  departmentDescendants,
  departmentManagers,
  departmentMemberCount,
  getDepartment,
  listDepartments,
  userDepartments,
  type UserDepartment,
} from '../../../domain/departments/department-queries.js';
import { DomainError } from '../../../domain/errors.js';
import { builder } from '../builder.js';
import { commandContext, type GraphQLContext } from '../context.js';
import { UserRef } from './user.js';

export const DepartmentRef = builder.objectRef<DepartmentRow>('Department');

/**
 * One loader per request: a whole tree asking for `viewerCan` costs at most one query (which departments
 * have live children, only for a viewer who may manage departments). Not cached: a row returned after a
 * change in the same request is judged as it is now.
 */
const actionLoaders = new WeakMap<GraphQLContext, DataLoader<DepartmentRow, DepartmentActions>>();
function departmentActionsLoader(ctx: GraphQLContext): DataLoader<DepartmentRow, DepartmentActions> {
  let loader = actionLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((departments) => departmentActionsOf(commandContext(ctx), departments), {
      cache: false,
      maxBatchSize: 10_000,
    });
    actionLoaders.set(ctx, loader);
  }
  return loader;
}

const DepartmentActionsRef = builder.objectRef<DepartmentActions>('DepartmentActions').implement({
  description:
    'Which department commands the viewer may use on this department now, by the checks the commands make. The console shows only these; a command may still refuse a particular input (a destination, a permission not held).',
  fields: (t) => ({
    update: t.exposeBoolean('update', { description: '`updateDepartment`: name, code, description, cost.' }),
    createChild: t.exposeBoolean('createChild', {
      description: '`createDepartment` with this department as the parent (a live one).',
    }),
    move: t.exposeBoolean('move', { description: '`moveDepartment` (a destination may still be refused).' }),
    archive: t.exposeBoolean('archive', {
      description: '`archiveDepartment`: live, and no live sub-departments left.',
    }),
    setManagers: t.exposeBoolean('setManagers', {
      description: '`setDepartmentManagers` naming managers: the department’s manager set held org-wide.',
    }),
    setPermissions: t.exposeBoolean('setPermissions', {
      description: '`updateDepartment` of the added and manager permissions (those held org-wide).',
    }),
    placeMembers: t.exposeBoolean('placeMembers', {
      description: '`setUserDepartments` placing users here: `users:update` reaching this department.',
    }),
    inviteMembers: t.exposeBoolean('inviteMembers', {
      description: '`inviteUsers` into this department: `users:invite` reaching it.',
    }),
  }),
});
DepartmentRef.implement({
  description: 'A unit of the organisation’s tree (directorate, division, unit, team...).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    code: t.exposeString('code', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    parentId: t.exposeID('parent_id', { nullable: true }),
    costCentre: t.exposeString('cost_centre', { nullable: true }),
    scimRole: t.field({
      type: RoleKeyEnum,
      nullable: true,
      description: 'The role SCIM membership of this department grants (group→role mapping); null: none.',
      resolve: (d) => (d.scim_role ?? null) as never,
    }),
    monthlyCostPerSeat: t.float({
      nullable: true,
      description: 'Null: inherited from the parent department.',
      resolve: (d) => (d.monthly_cost_per_seat == null ? null : Number(d.monthly_cost_per_seat)),
    }),
    depth: t.exposeInt('depth', { description: '0 for a root department.' }),
    path: t.exposeString('path', { description: 'Ancestor ids and own id, each followed by "/".' }),
    archivedAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.archived_at }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (d) => d.updated_at }),
    version: t.exposeInt('version', {
      description: 'Pass back as `expectedVersion` to refuse stale writes.',
    }),
    ancestors: t.field({
      type: [DepartmentRef],
      description: 'From the root down to the parent.',
      resolve: (d, _a, ctx) => departmentAncestors(commandContext(ctx), d),
    }),
    children: t.field({
      type: [DepartmentRef],
      description: 'Live direct sub-departments, by name.',
      resolve: (d, _a, ctx) => departmentChildren(commandContext(ctx), d),
    }),
    descendants: t.field({
      type: [DepartmentRef],
      description: 'The live subtree below this department, parents before children.',
      resolve: (d, _a, ctx) => departmentDescendants(commandContext(ctx), d),
    }),
    managers: t.field({
      type: [UserRef],
      resolve: (d, _a, ctx) => departmentManagers(commandContext(ctx), d),
    }),
    viewerCan: t.field({
      type: DepartmentActionsRef,
      resolve: (d, _a, ctx) =>
        ctx.actor ? departmentActionsLoader(ctx).load(d) : { ...noDepartmentActions },
    }),
    memberCount: t.int({
      description: 'Invited, active and suspended users placed here (primary or secondary), each once.',
      args: { includeSubtree: t.arg.boolean({ defaultValue: false }) },
      resolve: (d, { includeSubtree }, ctx) =>
        departmentMemberCount(commandContext(ctx), d, includeSubtree ?? false),
    }),
  }),
});

const UserDepartmentRef = builder.objectRef<UserDepartment>('UserDepartment').implement({
  description: 'A user’s membership of a department.',
  fields: (t) => ({
    department: t.field({ type: DepartmentRef, resolve: (m) => m.department }),
    isPrimary: t.exposeBoolean('isPrimary'),
  }),
});

builder.objectFields(UserRef, (t) => ({
  departments: t.field({
    type: [UserDepartmentRef],
    description:
      'The primary department first, then secondary ones. Readable by the user themself, by holders of `departments:read`, and by whoever may read the user (a manager of their department).',
    resolve: (u, _a, ctx) => userDepartments(commandContext(ctx), u.id),
  }),
}));

builder.queryFields((t) => ({
  departments: t.field({
    type: [DepartmentRef],
    description:
      'The whole department tree as a flat list, parents before children. Requires `departments:read`; a department manager without it sees the subtrees they manage.',
    args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
    resolve: (_r, { includeArchived }, ctx) => listDepartments(commandContext(ctx), { includeArchived }),
  }),
  department: t.field({
    type: DepartmentRef,
    nullable: true,
    description: 'A department of the viewer’s organisation, or null when there is none with this id.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, { id }, ctx) => {
      try {
        return await getDepartment(commandContext(ctx), String(id));
      } catch (err) {
        if (err instanceof DomainError && err.code === 'NOT_FOUND') return null;
        throw err;
      }
    },
  }),
}));
