import { describe, expect, it } from 'vitest';
import { hardLockUntil, isLocked, lockoutAfter, throttleRules } from './sign-in-throttle.js';
import { extendedIdle, newSessionExpiries, sessionPolicyOf } from '../sessions/session-policy.js';

const now = new Date('2026-01-05T09:00:00Z');
const after = (ms: number) => new Date(now.getTime() + ms);

describe('lockout rule', () => {
  it('waits 1 minute after 5 failures, doubling to at most an hour, and locks hard at 100', () => {
    expect(lockoutAfter(4, throttleRules.accountFreeFailures, now, true)).toBeNull();
    expect(lockoutAfter(5, 5, now, true)).toEqual(after(60_000));
    expect(lockoutAfter(6, 5, now, true)).toEqual(after(120_000));
    expect(lockoutAfter(10, 5, now, true)).toEqual(after(32 * 60_000));
    expect(lockoutAfter(11, 5, now, true)).toEqual(after(3_600_000));
    expect(lockoutAfter(99, 5, now, true)).toEqual(after(3_600_000));
    expect(lockoutAfter(100, 5, now, true)).toEqual(hardLockUntil);
    // Sources are never hard-locked (a shared address must not lock out everyone behind it forever).
    expect(lockoutAfter(100, 20, now)).toEqual(after(3_600_000));
    expect(isLocked(after(1), now)).toBe(true);
    expect(isLocked(now, now)).toBe(false);
    expect(isLocked(null, now)).toBe(false);
  });
});

describe('session lifetimes', () => {
  it('defaults to NIST AAL2 (60 min idle, 24 h absolute) and ignores out-of-range settings', () => {
    expect(sessionPolicyOf({})).toEqual({ idleMinutes: 60, absoluteHours: 24 });
    expect(sessionPolicyOf({ sessionIdleMinutes: 15, sessionAbsoluteHours: 12 })).toEqual({
      idleMinutes: 15,
      absoluteHours: 12,
    });
    expect(sessionPolicyOf({ sessionIdleMinutes: 0, sessionAbsoluteHours: '12' })).toEqual({
      idleMinutes: 60,
      absoluteHours: 24,
    });
    const e = newSessionExpiries({ idleMinutes: 90, absoluteHours: 1 }, now);
    expect(e).toEqual({ idle: after(3_600_000), absolute: after(3_600_000) });
    expect(extendedIdle({ idleMinutes: 60, absoluteHours: 24 }, now, after(10 * 60_000))).toEqual(
      after(600_000),
    );
  });
});
