import { allPermissions, permissionDescriptions, type Permission } from '../../../authz/permissions.js';
import { roleDefinitions, roleKeys, type RoleKey } from '../../../authz/roles.js';
import { userStatuses, type UserStatus } from '../../../domain/users/user-status.js';
import { builder } from '../builder.js';

export const UserStatusEnum = builder.enumType('UserStatus', {
  description: 'Where a user is in the account lifecycle.',
  values: Object.fromEntries(userStatuses.map((s) => [s.toUpperCase(), { value: s }])) as unknown as Record<
    Uppercase<UserStatus>,
    { value: UserStatus }
  >,
});

export const RoleKeyEnum = builder.enumType('RoleKey', {
  description: 'A predefined role.',
  values: Object.fromEntries(
    roleKeys.map((k) => [k.toUpperCase(), { value: k, description: roleDefinitions[k].name }]),
  ) as unknown as Record<Uppercase<RoleKey>, { value: RoleKey }>,
});

/** `users:change_role` as an enum value: `USERS_CHANGE_ROLE`. */
export function permissionEnumName(p: Permission): string {
  return p.replace(':', '_').toUpperCase();
}

export const PermissionNameEnum = builder.enumType('PermissionName', {
  description: 'A permission of the catalogue, `resource:action` written as `RESOURCE_ACTION`.',
  values: Object.fromEntries(
    allPermissions.map((p) => [permissionEnumName(p), { value: p, description: permissionDescriptions[p] }]),
  ) as Record<string, { value: Permission; description: string }>,
});
