import { passwordRules } from './password-policy.js';

/**
 * The organisation's password settings (stored in `organizations.settings`, changed through
 * updateOrganizationSettings):
 * - `minPasswordLength`: raises the policy's minimum length. It can never lower it: NIST's floor (15
 *   characters as the only factor, 8 with a second factor) applies whatever the setting, so the bounds
 *   start at the MFA floor and a value below 15 matters only to people with a second factor.
 * - `endSessionsOnPasswordChange` (default on): changing your own password ends your other sessions; the
 *   one you changed it from stays. A reset by email link always ends every session, whatever this says.
 */
export const minPasswordLengthBounds = { min: passwordRules.minLengthWithMfa, max: 64 } as const;

/** The organisation's minimum password length, or null when it has none (or a malformed one). Pure. */
export function minPasswordLengthOf(settings: Record<string, unknown>): number | null {
  const v = settings.minPasswordLength;
  const { min, max } = minPasswordLengthBounds;
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : null;
}

/** Whether changing one's password ends one's other sessions; yes unless turned off. Pure. */
export function endSessionsOnPasswordChangeOf(settings: Record<string, unknown>): boolean {
  return settings.endSessionsOnPasswordChange !== false;
}
