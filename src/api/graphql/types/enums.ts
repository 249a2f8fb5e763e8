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
