/**
 * Session lifetimes per organisation (`organizations.settings`). Defaults are NIST SP 800-63B AAL2:
 * 60 minutes idle, 24 hours absolute. Pure.
 */
export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export const defaultSessionPolicy: SessionPolicy = { idleMinutes: 60, absoluteHours: 24 };

function bounded(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? value
    : fallback;
}

/** Reads the policy from organisation settings; a missing or out-of-range value falls back to the default. */
export function sessionPolicyOf(settings: Record<string, unknown> | null | undefined): SessionPolicy {
  return {
    idleMinutes: bounded(settings?.sessionIdleMinutes, 1, 24 * 60, defaultSessionPolicy.idleMinutes),
    absoluteHours: bounded(settings?.sessionAbsoluteHours, 1, 30 * 24, defaultSessionPolicy.absoluteHours),
  };
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

/** Whether a session can still be used at `now`. */
export function sessionIsLive(
  s: { revoked_at: Date | null; idle_expires_at: Date; absolute_expires_at: Date },
  now: Date,
): boolean {
  const t = now.getTime();
  return s.revoked_at === null && s.idle_expires_at.getTime() > t && s.absolute_expires_at.getTime() > t;
}
