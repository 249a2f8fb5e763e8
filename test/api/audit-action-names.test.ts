import { describe, expect, it } from 'vitest';
import { auditActionGroups, auditActionNames, groupOfAction } from '../../console/src/ui/audit-actions.js';
import { auditActions } from '../../src/domain/audit/audit-actions.js';

/**
 * The audit trail's actions are listed once, on the server (`recordAuditEvent` accepts nothing else); the
 * console's filter offers that list. Each must read as words there, and no name may be left for an action
 * that no longer exists.
 */
describe('audit action names', () => {
  it('names every action the server records, and only those', () => {
    const unnamed = auditActions.filter((a) => !auditActionNames[a]);
    expect(unnamed, 'actions without a readable name in console/src/ui/audit-actions.ts').toEqual([]);
    const stale = Object.keys(auditActionNames).filter(
      (a) => !(auditActions as readonly string[]).includes(a),
    );
    expect(stale, 'names of actions the server does not record').toEqual([]);
  });

  it('puts every action in a named group, and no two actions share a name', () => {
    expect(auditActions.filter((a) => !auditActionGroups[a.split('.')[0]!])).toEqual([]);
    expect(groupOfAction('user.suspended')).toBe('Users');
    const names = auditActions.map((a) => auditActionNames[a]);
    expect(new Set(names).size).toBe(names.length);
  });
});
