import { useSyncExternalStore } from 'react';

/**
 * Whether this tab's session may only enrol a second factor (the organisation's MFA policy, after the
 * grace period): set by the sign-in's answer, or by any request the API refuses with
 * MFA_ENROLMENT_REQUIRED; cleared once a refresh returns an unrestricted session. Kept in sessionStorage
 * beside the refresh token, so a reload goes back to the enrolment page, not into a console that fails.
 */
const key = 'roster.enrolmentOnly';
const listeners = new Set<() => void>();

function read(): boolean {
  try {
    return window.sessionStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

export function setEnrolmentOnly(on: boolean): void {
  if (read() === on) return;
  try {
    if (on) window.sessionStorage.setItem(key, '1');
    else window.sessionStorage.removeItem(key);
  } catch {
    // Storage refused (private mode): the API keeps refusing, which sets it again on the next request.
  }
  for (const l of listeners) l();
}

export function useEnrolmentOnly(): boolean {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    read,
    () => false,
  );
}
