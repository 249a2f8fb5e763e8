import { describe, expect, it } from 'vitest';
import { mappedRoleChange, mappedRoleOf } from './group-role-mapping.js';

const m = (departmentId: string) => ({ departmentId, isPrimary: false });

describe('mappedRoleOf', () => {
  it('takes the mapped role with the most permissions, ignoring unmapped departments', () => {
    const mapped = new Map([
      ['a', 'viewer' as const],
      ['b', 'user_manager' as const],
    ]);
    expect(mappedRoleOf([m('a'), m('b'), m('c')], mapped)).toBe('user_manager');
    expect(mappedRoleOf([m('a')], mapped)).toBe('viewer');
    expect(mappedRoleOf([m('c')], mapped)).toBeNull();
  });
});

describe('mappedRoleChange', () => {
  it('upgrades a role a person gave only to a role holding all of it', () => {
    expect(mappedRoleChange('viewer', 'manual', 'user_manager')).toEqual({
      to: 'user_manager',
      source: 'group_mapping',
    });
    expect(mappedRoleChange('administrator', 'manual', 'user_manager')).toBeNull();
  });
  it('follows the mappings for a role a mapping gave, and falls back to viewer when none is left', () => {
    expect(mappedRoleChange('user_manager', 'group_mapping', 'viewer')).toEqual({
      to: 'viewer',
      source: 'group_mapping',
    });
    expect(mappedRoleChange('user_manager', 'group_mapping', null)).toEqual({
      to: 'viewer',
      source: 'manual',
    });
    expect(mappedRoleChange('user_manager', 'manual', null)).toBeNull();
    expect(mappedRoleChange('viewer', 'group_mapping', 'viewer')).toBeNull();
  });
});
