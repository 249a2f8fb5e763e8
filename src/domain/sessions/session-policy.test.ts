import { describe, expect, it } from 'vitest';
import { isAuthenticationRecent, reauthenticationWindowOf } from '../security/step-up-settings.js';
import { cappedAbsolute, maxSessionsPerUserOf, sessionPolicyOf } from './session-policy.js';

describe('session policy per role', () => {
  it('gives privileged roles the shorter lifetimes, each capped by everyone’s', () => {
    expect(sessionPolicyOf({}, 'viewer')).toEqual({ idleMinutes: 60, absoluteHours: 24 });
    expect(sessionPolicyOf({}, 'administrator')).toEqual({ idleMinutes: 15, absoluteHours: 12 });
    expect(sessionPolicyOf({}, 'user_manager')).toEqual({ idleMinutes: 60, absoluteHours: 24 });
    expect(
      sessionPolicyOf(
        { sessionIdleMinutes: 10, sessionPrivilegedIdleMinutes: 30, sessionPrivilegedAbsoluteHours: 48 },
        'owner',
      ),
    ).toEqual({ idleMinutes: 10, absoluteHours: 24 });
    // Out of range: the default, not the stored value.
    expect(sessionPolicyOf({ sessionPrivilegedIdleMinutes: 2 }, 'security_officer').idleMinutes).toBe(15);
  });

  it('caps an older session’s absolute expiry by the policy in force, never extends it', () => {
    const created = new Date('2026-01-05T09:00:00Z');
    const old = new Date('2026-01-06T09:00:00Z');
    expect(cappedAbsolute({ idleMinutes: 15, absoluteHours: 12 }, created, old)).toEqual(
      new Date('2026-01-05T21:00:00Z'),
    );
    expect(cappedAbsolute({ idleMinutes: 60, absoluteHours: 48 }, created, old)).toEqual(old);
  });

  it('reads the session limit and the step-up window with their defaults and bounds', () => {
    expect(maxSessionsPerUserOf({})).toBe(10);
    expect(maxSessionsPerUserOf({ maxSessionsPerUser: 0 })).toBe(10);
    expect(maxSessionsPerUserOf({ maxSessionsPerUser: 3 })).toBe(3);
    expect(reauthenticationWindowOf({})).toBe(10);
    expect(reauthenticationWindowOf({ reauthenticationWindowMinutes: 1441 })).toBe(10);
    expect(reauthenticationWindowOf({ reauthenticationWindowMinutes: 1 })).toBe(1);
    const at = new Date('2026-01-05T09:00:00Z');
    expect(isAuthenticationRecent(at, new Date(at.getTime() + 600_000), 10)).toBe(true);
    expect(isAuthenticationRecent(at, new Date(at.getTime() + 600_001), 10)).toBe(false);
  });
});
