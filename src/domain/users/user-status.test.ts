import { describe, expect, it } from 'vitest';
import {
  canApply,
  transition,
  userStatuses,
  type LifecycleEvent,
  type StatusState,
  type UserStatus,
} from './user-status.js';

const now = new Date('2026-03-01T12:00:00Z');
const later = new Date('2026-03-02T12:00:00Z');
const earlier = new Date('2026-02-28T12:00:00Z');
const state = (status: UserStatus, suspendedUntil: Date | null = null): StatusState => ({
  status,
  statusReason: status === 'suspended' ? 'r' : null,
  suspendedUntil,
});

const events: LifecycleEvent[] = [
  { type: 'accept_invitation' },
  { type: 'suspend', reason: 'Investigation', until: later },
  { type: 'reactivate' },
  { type: 'suspension_ended' },
  { type: 'deactivate', reason: 'Left' },
];

// The whole table: for each status and event, the resulting status or the refusal.
const expected: Record<UserStatus, Record<LifecycleEvent['type'], UserStatus | 'INVALID_TRANSITION'>> = {
  invited: {
    accept_invitation: 'active',
    suspend: 'INVALID_TRANSITION',
    reactivate: 'INVALID_TRANSITION',
    suspension_ended: 'INVALID_TRANSITION',
    deactivate: 'deactivated',
  },
  active: {
    accept_invitation: 'INVALID_TRANSITION',
    suspend: 'suspended',
    reactivate: 'INVALID_TRANSITION',
    suspension_ended: 'INVALID_TRANSITION',
    deactivate: 'deactivated',
  },
  suspended: {
    accept_invitation: 'INVALID_TRANSITION',
    suspend: 'INVALID_TRANSITION',
    reactivate: 'active',
    suspension_ended: 'active',
    deactivate: 'deactivated',
  },
  deactivated: {
    accept_invitation: 'INVALID_TRANSITION',
    suspend: 'INVALID_TRANSITION',
    reactivate: 'INVALID_TRANSITION',
    suspension_ended: 'INVALID_TRANSITION',
    deactivate: 'INVALID_TRANSITION',
  },
};

describe('user status transitions', () => {
  for (const status of userStatuses) {
    for (const event of events) {
      const want = expected[status][event.type];
      it(`${status} + ${event.type} -> ${want}`, () => {
        const from = state(status, status === 'suspended' ? earlier : null);
        if (want === 'INVALID_TRANSITION') {
          expect(() => transition(from, event, now)).toThrow(
            expect.objectContaining({ code: 'INVALID_TRANSITION' }),
          );
          expect(canApply(status, event.type)).toBe(false);
        } else {
          expect(transition(from, event, now).next.status).toBe(want);
          expect(canApply(status, event.type)).toBe(true);
        }
      });
    }
  }

  it('revokes sessions exactly on suspension and deactivation', () => {
    expect(
      transition(state('active'), { type: 'suspend', reason: 'x', until: null }, now).revokeSessions,
    ).toBe(true);
    expect(transition(state('active'), { type: 'deactivate', reason: 'x' }, now).revokeSessions).toBe(true);
    expect(transition(state('suspended', earlier), { type: 'reactivate' }, now).revokeSessions).toBe(false);
    expect(transition(state('invited'), { type: 'accept_invitation' }, now).revokeSessions).toBe(false);
  });

  it('requires a non-blank reason (trimmed) and a future end for suspensions', () => {
    expect(() => transition(state('active'), { type: 'suspend', reason: ' \n ', until: null }, now)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => transition(state('active'), { type: 'suspend', reason: 'x', until: now }, now)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => transition(state('active'), { type: 'deactivate', reason: 'x'.repeat(2001) }, now)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    const t = transition(state('active'), { type: 'suspend', reason: '  Lost badge ', until: later }, now);
    expect(t.next).toEqual({ status: 'suspended', statusReason: 'Lost badge', suspendedUntil: later });
    expect(t.action).toBe('user.suspended');
  });

  it('ends a suspension automatically only once its time has come', () => {
    expect(() => transition(state('suspended', later), { type: 'suspension_ended' }, now)).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
    expect(() => transition(state('suspended', null), { type: 'suspension_ended' }, now)).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
    expect(transition(state('suspended', now), { type: 'suspension_ended' }, now).next.status).toBe('active');
  });
});
