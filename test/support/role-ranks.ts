import { roleKeys, type RoleKey } from '../../src/authz/roles.js';

/**
 * Who may act on whom (issue 10, point 7; docs/decisions/0006), written out by hand rather than derived,
 * so that a change to a role's permissions that moves it up or down shows here. A role may act on a role
 * whose ranking permissions (all but the platform ones: investigations, documents, reports, api) it holds.
 */
export const mayActOnRoles: Record<RoleKey, readonly RoleKey[]> = {
  owner: roleKeys,
  administrator: roleKeys.filter((r) => r !== 'owner'),
  user_manager: ['user_manager', 'investigator', 'analyst', 'viewer'],
  security_officer: ['security_officer', 'auditor', 'investigator', 'analyst', 'viewer'],
  auditor: ['auditor', 'investigator', 'analyst', 'viewer'],
  finance: ['finance', 'investigator', 'analyst', 'viewer'],
  investigator: ['investigator', 'analyst', 'viewer'],
  analyst: ['investigator', 'analyst', 'viewer'],
  viewer: ['investigator', 'analyst', 'viewer'],
};
