import { can } from '../../../authz/authorize.js';
import { permissionDescriptions, type Permission } from '../../../authz/permissions.js';
import { compareRoles, roleDefinitions, roleKeys, type RoleKey } from '../../../authz/roles.js';
import { DomainError } from '../../../domain/errors.js';
import { isPrivilegedRole } from '../../../authz/privileged-roles.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { RoleKeyEnum } from './enums.js';
import { actorMayGrantRole } from '../../../authz/actor-permissions.js';

const PermissionRef = builder.objectRef<Permission>('Permission').implement({
  description: 'A capability, named `resource:action`.',
  fields: (t) => ({
    name: t.string({ resolve: (p) => p }),
    description: t.string({ resolve: (p) => permissionDescriptions[p] }),
  }),
});

const RoleRef = builder.objectRef<RoleKey>('Role').implement({
  description: 'A predefined role and exactly the permissions it grants.',
  fields: (t) => ({
    key: t.field({ type: RoleKeyEnum, resolve: (k) => k }),
    name: t.string({ resolve: (k) => roleDefinitions[k].name }),
    description: t.string({ resolve: (k) => roleDefinitions[k].description }),
    permissions: t.field({ type: [PermissionRef], resolve: (k) => [...roleDefinitions[k].permissions] }),
    privileged: t.boolean({
      description:
        'Whether the role holds a privileged permission (ownership, role changes, factor resets...): granting it ' +
        'needs a recent sign-in, and no SCIM group→role mapping may name it.',
      resolve: (k) => isPrivilegedRole(k),
    }),
    viewerCanGrant: t.boolean({
      description: 'Whether the viewer may give this role to someone (or take it away).',
      resolve: (k, _a, ctx) =>
        !!ctx.actor && can(ctx.actor, 'users:change_role') && actorMayGrantRole(ctx.actor, k),
    }),
  }),
});

const RoleComparisonRef = builder
  .objectRef<ReturnType<typeof compareRoles> & { from: RoleKey; to: RoleKey }>('RoleComparison')
  .implement({
    description: 'The permission difference between two roles: what a user would gain, lose and keep.',
    fields: (t) => ({
      from: t.field({ type: RoleRef, resolve: (c) => c.from }),
      to: t.field({ type: RoleRef, resolve: (c) => c.to }),
      gained: t.field({ type: [PermissionRef], resolve: (c) => c.gained }),
      lost: t.field({ type: [PermissionRef], resolve: (c) => c.lost }),
      kept: t.field({ type: [PermissionRef], resolve: (c) => c.kept }),
    }),
  });

function requireRolesRead(ctx: Parameters<typeof commandContext>[0]) {
  const c = commandContext(ctx);
  if (!can(c.actor, 'roles:read')) throw new DomainError('FORBIDDEN');
}

builder.queryFields((t) => ({
  roles: t.field({
    type: [RoleRef],
    description: 'The predefined roles.',
    resolve: (_r, _a, ctx) => {
      requireRolesRead(ctx);
      return roleKeys;
    },
  }),
  compareRoles: t.field({
    type: RoleComparisonRef,
    description:
      'What changes for a user moved from one role to another; preview it before `changeUserRole`.',
    args: {
      from: t.arg({ type: RoleKeyEnum, required: true }),
      to: t.arg({ type: RoleKeyEnum, required: true }),
    },
    resolve: (_r, { from, to }, ctx) => {
      requireRolesRead(ctx);
      return { from, to, ...compareRoles(from, to) };
    },
  }),
}));

export { RoleRef, PermissionRef };
