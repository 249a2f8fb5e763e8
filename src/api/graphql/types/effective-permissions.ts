import type { DepartmentRow } from '../../../db/schema.js';
import type { EffectivePermission, PermissionSource } from '../../../domain/access/effective-permissions.js';
import {
  previewRoleChange,
  userEffectivePermissions,
  type RoleChangePreview,
} from '../../../domain/access/user-effective-permissions.js';
import { builder } from '../builder.js';
import { commandContext } from '../context.js';
import { DepartmentRef } from './department.js';
import { RoleKeyEnum } from './enums.js';
import { PermissionRef, RoleRef } from './role.js';
import { UserRef } from './user.js';

type Effective = EffectivePermission<DepartmentRow>;
type Source = PermissionSource<DepartmentRow>;

const PermissionScopeKindEnum = builder.enumType('PermissionScopeKind', {
  values: {
    ORGANIZATION: { value: 'organization', description: 'Everywhere in the organisation.' },
    SUBTREE: { value: 'subtree', description: 'Over the subtrees of the listed departments only.' },
  } as const,
});

const PermissionSourceKindEnum = builder.enumType('PermissionSourceKind', {
  values: {
    ROLE: { value: 'role', description: 'The user’s role.' },
    DEPARTMENT: {
      value: 'department',
      description: 'A department (the user’s or an ancestor of it) adds it for its members.',
    },
    MANAGER: { value: 'manager', description: 'The user manages a department; over its subtree only.' },
  } as const,
});

const MembershipKindEnum = builder.enumType('MembershipKind', {
  values: {
    PRIMARY: { value: 'primary' },
    SECONDARY: { value: 'secondary' },
  } as const,
});

const PermissionScopeRef = builder.objectRef<Effective['scope']>('PermissionScope').implement({
  description: 'Where a permission applies.',
  fields: (t) => ({
    kind: t.field({ type: PermissionScopeKindEnum, resolve: (s) => s.kind }),
    departments: t.field({
      type: [DepartmentRef],
      description: 'For SUBTREE: the departments whose subtrees it covers. Empty for ORGANIZATION.',
      resolve: (s) => (s.kind === 'subtree' ? s.departments : []),
    }),
  }),
});

const PermissionSourceRef = builder.objectRef<Source>('PermissionSource').implement({
  description: 'One reason a user holds a permission.',
  fields: (t) => ({
    kind: t.field({ type: PermissionSourceKindEnum, resolve: (s) => s.kind }),
    role: t.field({
      type: RoleRef,
      nullable: true,
      description: 'For ROLE: the role.',
      resolve: (s) => (s.kind === 'role' ? s.role : null),
    }),
    department: t.field({
      type: DepartmentRef,
      nullable: true,
      description: 'For DEPARTMENT: the department adding it. For MANAGER: the department managed.',
      resolve: (s) => (s.kind === 'role' ? null : s.department),
    }),
    through: t.field({
      type: DepartmentRef,
      nullable: true,
      description: 'For DEPARTMENT: the user’s own department (the one adding it, or a descendant of it).',
      resolve: (s) => (s.kind === 'department' ? s.through : null),
    }),
    membership: t.field({
      type: MembershipKindEnum,
      nullable: true,
      description: 'For DEPARTMENT: whether the membership of `through` is primary or secondary.',
      resolve: (s) => (s.kind === 'department' ? s.membership : null),
    }),
  }),
});

const EffectivePermissionRef = builder.objectRef<Effective>('EffectivePermission').implement({
  description: 'A permission a user holds, where it applies, and every source it comes from.',
  fields: (t) => ({
    permission: t.field({ type: PermissionRef, resolve: (e) => e.permission }),
    scope: t.field({ type: PermissionScopeRef, resolve: (e) => e.scope }),
    sources: t.field({ type: [PermissionSourceRef], resolve: (e) => e.sources }),
  }),
});

const RoleChangePreviewRef = builder.objectRef<RoleChangePreview>('RoleChangePreview').implement({
  description:
    'What a user would gain, lose and keep with another role, their departments and managed departments ' +
    'unchanged, each permission with its sources.',
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (p) => p.user }),
    from: t.field({ type: RoleRef, nullable: true, resolve: (p) => p.from }),
    to: t.field({ type: RoleRef, resolve: (p) => p.to }),
    gained: t.field({
      type: [EffectivePermissionRef],
      description: 'Held with the new role only; as it would be held.',
      resolve: (p) => p.gained,
    }),
    lost: t.field({
      type: [EffectivePermissionRef],
      description: 'Held now only; as it is held now.',
      resolve: (p) => p.lost,
    }),
    kept: t.field({
      type: [EffectivePermissionRef],
      description:
        'Held now and with the new role; as it would be held (a department or manager source may be what keeps it).',
      resolve: (p) => p.kept,
    }),
    viewerMayChange: t.boolean({
      description:
        'Whether the viewer may make this change: `users:change_role` reaching the user and both roles grantable.',
      resolve: (p) => p.viewerMayChange,
    }),
  }),
});

builder.queryFields((t) => ({
  effectivePermissions: t.field({
    type: [EffectivePermissionRef],
    description:
      'A user’s effective permissions with their scope and sources (role, department, manager). ' +
      'Readable by the user themself and by whoever may read the user (`users:read`).',
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_r, { userId }, ctx) => userEffectivePermissions(commandContext(ctx), String(userId)),
  }),
  roleChangePreview: t.field({
    type: RoleChangePreviewRef,
    description:
      'Preview `changeUserRole`: the user’s effective permissions gained, lost and kept, with sources. ' +
      'Readable like `effectivePermissions`.',
    args: {
      userId: t.arg.id({ required: true }),
      role: t.arg({ type: RoleKeyEnum, required: true }),
    },
    resolve: (_r, { userId, role }, ctx) => previewRoleChange(commandContext(ctx), String(userId), role),
  }),
}));
