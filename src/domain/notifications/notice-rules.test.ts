import { describe, expect, it } from 'vitest';
import {
  adminAudienceFor,
  responsibleRecipientsOf,
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
    // No role by default any more (issue 10 item 0): the default audience is the people responsible.
    expect(adminRecipientRolesOf({})).toEqual([]);
    expect(responsibleRecipientsOf({})).toBe(true);
    expect(responsibleRecipientsOf({ notifications: { responsibleRecipients: false } })).toBe(false);
    expect(adminRecipientRolesOf({ notifications: { adminRecipients: ['viewer', 'nope'] } })).toEqual([
      'viewer',
    ]);
    expect(adminRecipientRolesOf({ notifications: { adminRecipients: [] } })).toEqual([]);
    expect(invitationReminderHoursOf({})).toBe(24);
    expect(invitationReminderHoursOf({ invitationReminderHours: 0 })).toBe(0);
    expect(invitationReminderHoursOf({ invitationReminderHours: -1 })).toBe(24);
    expect(dedupeKeyOf('user:x:v3', 'r', 'role_changed')).toBe('user:x:v3:r:role_changed');
  });

  it('picks the admin audience per kind: an override replaces the defaults, even with nobody in it', () => {
    expect(adminAudienceFor({}, 'user_suspended')).toEqual({ responsible: true, roles: [], userIds: [] });
    const settings = {
      notifications: {
        adminRecipients: ['administrator'],
        adminRecipientUserIds: ['p1', 'p1', 7],
        byKind: {
          user_suspended: { roles: [], userIds: ['p2'] },
          user_reactivated: { responsible: true, roles: [], userIds: [] },
          user_deactivated: { roles: [], userIds: [] },
          role_changed: { roles: ['owner', 'nope'] },
          invitation: { roles: ['owner'], userIds: ['p3'] },
          user_activated: 'malformed',
        },
      },
    };
    // An override written without `responsible` names roles and people only, as it always did.
    const only = (roles: string[], userIds: string[]) => ({ responsible: false, roles, userIds });
    expect(adminAudienceFor(settings, 'user_suspended')).toEqual(only([], ['p2']));
    expect(adminAudienceFor(settings, 'user_deactivated')).toEqual(only([], []));
    expect(adminAudienceFor(settings, 'role_changed')).toEqual(only(['owner'], []));
    expect(adminAudienceFor(settings, 'user_reactivated')).toEqual({
      responsible: true,
      roles: [],
      userIds: [],
    });
    // No (valid) override: the defaults, de-duplicated and cleaned.
    expect(adminAudienceFor(settings, 'user_activated')).toEqual({
      responsible: true,
      roles: ['administrator'],
      userIds: ['p1'],
    });
    expect(adminAudienceFor(settings, 'sessions_revoked')).toEqual({
      responsible: true,
      roles: ['administrator'],
      userIds: ['p1'],
    });
    // Invitations never go to administrators, whatever the settings say.
    expect(adminAudienceFor(settings, 'invitation')).toEqual(only([], []));
    expect(adminAudienceFor(settings, 'invitation_reminder')).toEqual(only([], []));
  });
});
