import { describe, expect, it } from 'vitest';
import {
  adminRecipientRolesOf,
  dedupeKeyOf,
  invitationReminderHoursOf,
  recipientsFor,
} from './notice-rules.js';

const facts = {
  affectedUserId: 'u',
  actorUserId: 'actor',
  adminUserIds: ['actor', 'a1', 'a2', 'u'],
  optedOut: new Set<string>(),
};

describe('notice rules', () => {
  it('sends the affected user an email and admins email + in-app, never the actor', () => {
    expect(recipientsFor({ ...facts, kind: 'user_suspended' })).toEqual([
      { userId: 'u', audience: 'self', email: true, inApp: false },
      { userId: 'a1', audience: 'admin', email: true, inApp: true },
      { userId: 'a2', audience: 'admin', email: true, inApp: true },
    ]);
    expect(recipientsFor({ ...facts, kind: 'invitation' }).map((r) => r.userId)).toEqual(['u']);
  });

  it('honours opt-outs for optional kinds only; signing yourself out notifies nobody', () => {
    const optedOut = new Set(['u', 'a1']);
    expect(recipientsFor({ ...facts, optedOut, kind: 'user_reactivated' }).map((r) => r.userId)).toEqual([
      'a2',
    ]);
    expect(recipientsFor({ ...facts, optedOut, kind: 'user_deactivated' }).map((r) => r.userId)).toEqual([
      'u',
      'a1',
      'a2',
    ]);
    expect(recipientsFor({ ...facts, actorUserId: 'u', kind: 'sessions_revoked' })).toEqual([]);
  });

  it('reads settings with defaults', () => {
    expect(adminRecipientRolesOf({})).toEqual(['owner', 'security_officer']);
    expect(adminRecipientRolesOf({ notifications: { adminRecipients: ['viewer', 'nope'] } })).toEqual([
      'viewer',
    ]);
    expect(adminRecipientRolesOf({ notifications: { adminRecipients: [] } })).toEqual([]);
    expect(invitationReminderHoursOf({})).toBe(24);
    expect(invitationReminderHoursOf({ invitationReminderHours: 0 })).toBe(0);
    expect(invitationReminderHoursOf({ invitationReminderHours: -1 })).toBe(24);
    expect(dedupeKeyOf('user:x:v3', 'r', 'role_changed')).toBe('user:x:v3:r:role_changed');
  });
});
