import { isPrivilegedRole } from '../../authz/privileged-roles.js';
import type { RoleKey } from '../../authz/roles.js';

/**
 * Session lifetimes per organisation (`organizations.settings`). Defaults are NIST SP 800-63B AAL2:
 * 60 minutes idle, 24 hours absolute. Privileged roles (authz/privileged-roles.ts) get their own, shorter
 * lifetimes (defaults 15 minutes and 12 hours, AAL3's), never longer than everyone's. Pure.
 */
export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export const defaultSessionPolicy: SessionPolicy = { idleMinutes: 60, absoluteHours: 24 };
export const defaultPrivilegedSessionPolicy: SessionPolicy = { idleMinutes: 15, absoluteHours: 12 };

/** Bounds of the per-role lifetimes and of the number of live sessions a person may hold. */
export const sessionPolicyBounds = {
  sessionPrivilegedIdleMinutes: { min: 5, max: 1440 },
  sessionPrivilegedAbsoluteHours: { min: 1, max: 720 },
  maxSessionsPerUser: { min: 1, max: 100 },
} as const;
export const defaultMaxSessionsPerUser = 10;

function bounded(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? value
    : fallback;
}

/**
 * Reads the policy from organisation settings; a missing or out-of-range value falls back to the default.
 * With a privileged `role`, the privileged lifetimes apply, each capped by everyone's.
 */
export function sessionPolicyOf(
  settings: Record<string, unknown> | null | undefined,
  role?: RoleKey,
): SessionPolicy {
  const base = {
    idleMinutes: bounded(settings?.sessionIdleMinutes, 1, 24 * 60, defaultSessionPolicy.idleMinutes),
    absoluteHours: bounded(settings?.sessionAbsoluteHours, 1, 30 * 24, defaultSessionPolicy.absoluteHours),
  };
  if (!role || !isPrivilegedRole(role)) return base;
  const privileged = privilegedSessionPolicyOf(settings);
  return {
    idleMinutes: Math.min(base.idleMinutes, privileged.idleMinutes),
    absoluteHours: Math.min(base.absoluteHours, privileged.absoluteHours),
  };
}

/** The privileged roles' lifetimes as set (defaults filled in), before the cap by everyone's. */
export function privilegedSessionPolicyOf(
  settings: Record<string, unknown> | null | undefined,
): SessionPolicy {
  const b = sessionPolicyBounds;
  return {
    idleMinutes: bounded(
      settings?.sessionPrivilegedIdleMinutes,
      b.sessionPrivilegedIdleMinutes.min,
      b.sessionPrivilegedIdleMinutes.max,
      defaultPrivilegedSessionPolicy.idleMinutes,
    ),
    absoluteHours: bounded(
      settings?.sessionPrivilegedAbsoluteHours,
      b.sessionPrivilegedAbsoluteHours.min,
      b.sessionPrivilegedAbsoluteHours.max,
      defaultPrivilegedSessionPolicy.absoluteHours,
    ),
  };
}

/** How many live sessions one person may hold; a sign-in beyond it ends the oldest. */
export function maxSessionsPerUserOf(settings: Record<string, unknown> | null | undefined): number {
  const { min, max } = sessionPolicyBounds.maxSessionsPerUser;
  return bounded(settings?.maxSessionsPerUser, min, max, defaultMaxSessionsPerUser);
}

/** A new session's expiries. */
export function newSessionExpiries(policy: SessionPolicy, now: Date): { idle: Date; absolute: Date } {
  const absolute = new Date(now.getTime() + policy.absoluteHours * 3_600_000);
  return { idle: extendedIdle(policy, now, absolute), absolute };
}

/** Activity (a refresh) pushes the idle expiry forward, never past the absolute one. */
export function extendedIdle(policy: SessionPolicy, now: Date, absolute: Date): Date {
  return new Date(Math.min(now.getTime() + policy.idleMinutes * 60_000, absolute.getTime()));
}

/**
 * The absolute expiry under the policy in force: a session opened under a longer one (its user has since
 * moved into a privileged role) ends when the shorter one says, counted from its creation; never later
 * than it was.
 */
export function cappedAbsolute(policy: SessionPolicy, createdAt: Date, absolute: Date): Date {
  return new Date(Math.min(absolute.getTime(), createdAt.getTime() + policy.absoluteHours * 3_600_000));
}

/** Whether a session can still be used at `now`. */
export function sessionIsLive(
  s: { revoked_at: Date | null; idle_expires_at: Date; absolute_expires_at: Date },
  now: Date,
): boolean {
  const t = now.getTime();
  return s.revoked_at === null && s.idle_expires_at.getTime() > t && s.absolute_expires_at.getTime() > t;
}
