import { describe, expect, it } from 'vitest';
import { accessFor, defaultManagerPermissions, type ManagedScope } from '../../authz/access.js';
import type { Permission } from '../../authz/permissions.js';
import type { RoleKey } from '../../authz/roles.js';
import type { UserRow } from '../../db/schema.js';
import { placementChange } from '../departments/placement-permissions.js';
import type { Actor } from '../shared/context.js';
import { allowedUserActions, noUserActions } from './user-policy.js';
import type { UserStatus } from './user-status.js';

const a = 'aaaaaaaa-0000-4000-8000-000000000000/';
const a1 = `${a}a1a1a1a1-0000-4000-8000-000000000000/`;
const b = 'bbbbbbbb-0000-4000-8000-000000000000/';

const actor = (role: RoleKey): Actor => ({ type: 'user', userId: 'me', orgId: 'org', role, sessionId: 's' });
const scope = (
  path: string,
  permissions: readonly Permission[] = defaultManagerPermissions,
): ManagedScope => ({
  departmentId: path,
  departmentName: path,
  path,
  permissions: new Set(permissions),
});
const row = (status: UserStatus, role: RoleKey = 'viewer', id = 'them', orgId = 'org'): UserRow =>
  ({ id, org_id: orgId, status, role, failed_login_count: 0, locked_until: null }) as UserRow;

describe('allowedUserActions', () => {
  const manager = accessFor(actor('analyst'), [scope(a)]);

  it('gives a manager the default set over a user of its subtree, and nothing else', () => {
    expect(allowedUserActions(manager, row('active'), a1)).toEqual({
      ...noUserActions,
      changeRole: true,
      suspend: true,
    });
    expect(allowedUserActions(manager, row('suspended'), a1)).toEqual({
      ...noUserActions,
      changeRole: true,
      reactivate: true,
    });
    expect(allowedUserActions(manager, row('invited'), a1)).toEqual({
      ...noUserActions,
      changeRole: true,
      resendInvitation: true,
      revokeInvitation: true,
    });
  });

  it('gives a manager nothing outside its subtree, for a user without a department, or in another org', () => {
    expect(allowedUserActions(manager, row('active'), b)).toEqual(noUserActions);
    expect(allowedUserActions(manager, row('active'), null)).toEqual(noUserActions);
    expect(allowedUserActions(manager, row('active', 'viewer', 'them', 'other'), a1)).toEqual(noUserActions);
  });

  it('gives a manager no write on a user whose role it could not grant', () => {
    expect(allowedUserActions(manager, row('active', 'administrator'), a1)).toEqual(noUserActions);
    expect(allowedUserActions(manager, row('invited', 'investigator'), a1)).toEqual(noUserActions);
  });

  it('follows a custom manager set', () => {
    const custom = accessFor(actor('analyst'), [
      scope(a, ['users:read', 'users:deactivate', 'users:update']),
    ]);
    expect(allowedUserActions(custom, row('active'), a1)).toEqual({
      ...noUserActions,
      updateProfile: true,
      deactivate: true,
      setDepartments: true,
    });
  });

  it('keeps the org-wide answers, and one’s own profile and sessions', () => {
    const um = accessFor(actor('user_manager'));
    expect(allowedUserActions(um, row('active'), null)).toEqual({
      updateProfile: true,
      changeRole: true,
      suspend: true,
      reactivate: false,
      deactivate: false,
      revokeSessions: true,
      sendPasswordReset: false,
      resendInvitation: false,
      revokeInvitation: false,
      unlock: false,
      setDepartments: true,
    });
    // unlocking needs security:manage and something to lift (a failure count or a lockout)
    const officer = accessFor(actor('security_officer'));
    const locked = {
      ...row('active'),
      failed_login_count: 7,
      locked_until: new Date('2026-01-01T00:00:00Z'),
    };
    expect(allowedUserActions(officer, locked, null).unlock).toBe(true);
    expect(allowedUserActions(officer, row('active'), null).unlock).toBe(false);
    expect(allowedUserActions(um, locked, null).unlock).toBe(false);
    // nothing at all on a user whose role holds permissions the actor lacks, org-wide reach included
    expect(allowedUserActions(um, row('invited', 'administrator'), null)).toEqual(noUserActions);
    expect(allowedUserActions(um, row('active', 'owner'), null)).toEqual(noUserActions);
    // platform permissions do not rank: a user manager lacks reports:create, yet acts on an analyst
    expect(allowedUserActions(um, row('active', 'analyst'), null)).toMatchObject({ suspend: true });
    const admin = accessFor(actor('administrator'));
    expect(allowedUserActions(admin, row('active', 'owner'), null)).toEqual(noUserActions);
    expect(allowedUserActions(accessFor(actor('owner')), row('active', 'owner'), null)).toMatchObject({
      suspend: true,
      deactivate: true,
      revokeSessions: true,
    });
    const self = allowedUserActions(accessFor(actor('viewer')), row('active', 'viewer', 'me'), null);
    expect(self).toEqual({ ...noUserActions, updateProfile: true, revokeSessions: true });
  });
});

describe('placementChange', () => {
  const addedBy = new Map<string, Permission[]>([
    ['fraud', ['investigations:export']],
    ['fraud-team', ['investigations:export', 'api:access']],
    ['plain', []],
  ]);
  const p = (departmentId: string, isPrimary = true) => ({ departmentId, isPrimary });

  it('is the net change of the permissions the memberships bring', () => {
    expect(placementChange([], [p('fraud')], addedBy)).toEqual(['investigations:export']);
    expect(placementChange([p('fraud')], [], addedBy)).toEqual(['investigations:export']);
    expect(placementChange([p('fraud')], [p('fraud-team')], addedBy)).toEqual(['api:access']);
    expect(placementChange([p('fraud')], [p('plain'), p('fraud', false)], addedBy)).toEqual([]);
    expect(placementChange([p('plain')], [p('plain', false)], addedBy)).toEqual([]);
  });
});
