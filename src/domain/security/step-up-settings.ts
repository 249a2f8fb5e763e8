/**
 * Step-up (re-authentication) settings of an organisation (`organizations.settings`, changed through
 * updateOrganizationSettings): `reauthenticationWindowMinutes`, how recent a session's last proof of
 * identity (`sessions.auth_time`) must be for a sensitive action. Default 10 minutes. Pure.
 */
export const reauthenticationWindowBounds = { min: 1, max: 1440 } as const;
export const defaultReauthenticationWindowMinutes = 10;

/** The window in force: the setting, or the default when it is missing or malformed. */
export function reauthenticationWindowOf(settings: Record<string, unknown> | null | undefined): number {
  const v = settings?.reauthenticationWindowMinutes;
  const { min, max } = reauthenticationWindowBounds;
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
    ? v
    : defaultReauthenticationWindowMinutes;
}

/** Whether an authentication at `authTime` is recent enough at `now` (the window's end included). */
export function isAuthenticationRecent(authTime: Date, now: Date, windowMinutes: number): boolean {
  return now.getTime() - authTime.getTime() <= windowMinutes * 60_000;
}
