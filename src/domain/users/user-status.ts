import type { AuditAction } from '../audit/audit-actions.js';
import { DomainError } from '../errors.js';

export const userStatuses = ['invited', 'active', 'suspended', 'deactivated'] as const;
export type UserStatus = (typeof userStatuses)[number];

export type LifecycleEvent =
  | { type: 'accept_invitation' }
  | { type: 'suspend'; reason: string; until: Date | null }
  | { type: 'reactivate' }
  /** The suspension's end time has passed (scheduled work). */
  | { type: 'suspension_ended' }
  | { type: 'deactivate'; reason: string };

export interface StatusState {
  status: UserStatus;
  statusReason: string | null;
  suspendedUntil: Date | null;
}

export interface Transition {
  next: StatusState;
  /** Audit action recorded for the change. */
  action: AuditAction;
  /** Whether every session of the user must die now. */
  revokeSessions: boolean;
}

const allowed: Record<LifecycleEvent['type'], readonly UserStatus[]> = {
  accept_invitation: ['invited'],
  suspend: ['active'],
  reactivate: ['suspended'],
  suspension_ended: ['suspended'],
  deactivate: ['invited', 'active', 'suspended'],
};

export const maxReasonLength = 2000;

function requireReason(reason: string): string {
  const r = reason.trim();
  if (r.length === 0)
    throw new DomainError('VALIDATION_FAILED', 'A reason is required.', { field: 'reason' });
  if (r.length > maxReasonLength)
    throw new DomainError('VALIDATION_FAILED', `The reason is longer than ${maxReasonLength} characters.`, {
      field: 'reason',
    });
  return r;
}

/**
 * The one place that decides how a user's status may change. Pure: the caller loads the current state,
 * applies the result and writes the audit event in the same transaction.
 */
export function transition(current: StatusState, event: LifecycleEvent, now: Date): Transition {
  if (!allowed[event.type].includes(current.status)) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `A user who is ${current.status} cannot be ${describe(event.type)}.`,
      { from: current.status, event: event.type },
    );
  }
  switch (event.type) {
    case 'accept_invitation':
      return {
        next: { status: 'active', statusReason: null, suspendedUntil: null },
        action: 'user.activated',
        revokeSessions: false,
      };
    case 'suspend': {
      const reason = requireReason(event.reason);
      if (event.until && event.until.getTime() <= now.getTime()) {
        throw new DomainError('VALIDATION_FAILED', 'The end of the suspension must be in the future.', {
          field: 'until',
        });
      }
      return {
        next: { status: 'suspended', statusReason: reason, suspendedUntil: event.until },
        action: 'user.suspended',
        revokeSessions: true,
      };
    }
    case 'reactivate':
      return {
        next: { status: 'active', statusReason: null, suspendedUntil: null },
        action: 'user.reactivated',
        revokeSessions: false,
      };
    case 'suspension_ended':
      if (!current.suspendedUntil || current.suspendedUntil.getTime() > now.getTime()) {
        throw new DomainError('INVALID_TRANSITION', 'The suspension has not ended yet.', {
          from: current.status,
          event: event.type,
        });
      }
      return {
        next: { status: 'active', statusReason: null, suspendedUntil: null },
        action: 'user.suspension_ended',
        revokeSessions: false,
      };
    case 'deactivate':
      return {
        next: { status: 'deactivated', statusReason: requireReason(event.reason), suspendedUntil: null },
        action: 'user.deactivated',
        revokeSessions: true,
      };
  }
}

function describe(type: LifecycleEvent['type']): string {
  switch (type) {
    case 'accept_invitation':
      return 'activated by accepting an invitation';
    case 'suspend':
      return 'suspended';
    case 'reactivate':
      return 'reactivated';
    case 'suspension_ended':
      return 'reinstated at the end of a suspension';
    case 'deactivate':
      return 'deactivated';
  }
}

/** Whether the event may apply to a user in this status (ignoring its other preconditions). */
export function canApply(status: UserStatus, event: LifecycleEvent['type']): boolean {
  return allowed[event].includes(status);
}

export function isUserStatus(value: string): value is UserStatus {
  return (userStatuses as readonly string[]).includes(value);
}
