import {
  addedPermissionsOf,
  effectiveManagerPermissions,
} from '../../../domain/departments/department-permissions.js';
import { builder } from '../builder.js';
import { DepartmentRef } from './department.js';
import { PermissionRef } from './role.js';

/** What a department gives: platform permissions to its members, administration to its managers. */
builder.objectFields(DepartmentRef, (t) => ({
  addedPermissions: t.field({
    type: [PermissionRef],
    description:
      'Platform permissions this department adds for its members and the members of its subtree ' +
      '(primary or secondary membership). Its ancestors may add more.',
    resolve: (d) => addedPermissionsOf(d.added_permissions),
  }),
  managerPermissions: t.field({
    type: [PermissionRef],
    description: 'What the department’s managers may do over its subtree (the effective set).',
    resolve: (d) => effectiveManagerPermissions(d.manager_permissions),
  }),
  managerPermissionsAreDefault: t.boolean({
    description: 'True when the department uses the default manager set rather than one of its own.',
    resolve: (d) => d.manager_permissions === null,
  }),
}));
