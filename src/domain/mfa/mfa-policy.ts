import { isRoleKey, type RoleKey } from '../../authz/roles.js';

/**
 * The organisation's multi-factor policy, stored in `organizations.settings` and changed through
 * updateOrganizationSettings:
 * - `mfaRequiredRoles`: people holding one of these roles must enrol a second factor (TOTP or a passkey);
 * - `mfaPhishingResistantRoles`: people holding one of these must enrol a passkey — a TOTP code can be
 *   phished, a passkey is bound to the origin (NIST SP 800-63B-4 §3.2.5); such a role is required too;
 *   once they have a passkey, the sign-in's second step takes only the passkey (no app code, no recovery
 *   code: factors.ts `secondFactorMethodsFrom`); step-up is not narrowed (reauthenticate.ts);
 * - `mfaGracePeriodDays` (default 7): how long someone newly covered may still sign in without a factor;
 * - `mfaRequiredSince`: when each role became covered, written by the settings command itself, so a role
 *   added to the policy today gives its holders the grace period from today, not from their activation.
 * The grace period of a person runs from the later of the two: the policy covering their role, and their
 * activation. (A change of role is not recorded on the user; someone moved into a covered role gets the
 * grace period counted from when the role became covered, or none if that is long past — the console's
 * role-change dialog says so.)
 */
export interface MfaPolicy {
  requiredRoles: ReadonlySet<RoleKey>;
  phishingResistantRoles: ReadonlySet<RoleKey>;
  gracePeriodDays: number;
  requiredSince: Readonly<Partial<Record<RoleKey, Date>>>;
}

export const mfaGracePeriodBounds = { min: 0, max: 90 } as const;
export const defaultMfaGracePeriodDays = 7;

const roleList = (v: unknown): RoleKey[] =>
  Array.isArray(v) ? v.filter((r): r is RoleKey => typeof r === 'string' && isRoleKey(r)) : [];

/** The policy from the stored settings; anything malformed reads as "not required". Pure. */
export function mfaPolicyOf(settings: Record<string, unknown>): MfaPolicy {
  const grace = settings.mfaGracePeriodDays;
  const since: Partial<Record<RoleKey, Date>> = {};
  const stored = settings.mfaRequiredSince;
  if (stored && typeof stored === 'object') {
    for (const [role, at] of Object.entries(stored as Record<string, unknown>)) {
      const d = typeof at === 'string' ? new Date(at) : null;
      if (isRoleKey(role) && d && !Number.isNaN(d.getTime())) since[role] = d;
    }
  }
  const phishingResistant = new Set(roleList(settings.mfaPhishingResistantRoles));
  return {
    requiredRoles: new Set([...roleList(settings.mfaRequiredRoles), ...phishingResistant]),
    phishingResistantRoles: phishingResistant,
    gracePeriodDays:
      typeof grace === 'number' &&
      Number.isInteger(grace) &&
      grace >= mfaGracePeriodBounds.min &&
      grace <= mfaGracePeriodBounds.max
        ? grace
        : defaultMfaGracePeriodDays,
    requiredSince: since,
  };
}

/**
 * The `mfaRequiredSince` to store after a change of the two role lists: roles that stay covered keep their
 * date, newly covered roles get `now`, roles no longer covered are dropped. Pure.
 */
export function nextRequiredSince(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  now: Date,
): Record<string, string> {
  const was = mfaPolicyOf(before);
  const will = mfaPolicyOf(after);
  const out: Record<string, string> = {};
  for (const role of will.requiredRoles) {
    const kept = was.requiredRoles.has(role) ? was.requiredSince[role] : undefined;
    out[role] = (kept ?? now).toISOString();
  }
  return out;
}

/** The second factors a person has enrolled (confirmed ones only). */
export interface EnrolledFactors {
  totp: boolean;
  passkey: boolean;
}

export interface MfaRequirement {
  /** Their role is covered by the policy. */
  required: boolean;
  /** Only a passkey satisfies it. */
  phishingResistant: boolean;
  /** The end of their grace period; null when not required. */
  dueAt: Date | null;
  /** They have enrolled what the policy asks for. */
  satisfied: boolean;
  /** Required, not satisfied, and past the grace period: sign-in leads to enrolment and nothing else. */
  enforced: boolean;
}

const dayMs = 86_400_000;

/** What the policy asks of one person now. Pure. */
export function mfaRequirementOf(p: {
  policy: MfaPolicy;
  role: RoleKey;
  activatedAt: Date | null;
  factors: EnrolledFactors;
  now: Date;
}): MfaRequirement {
  const required = p.policy.requiredRoles.has(p.role);
  const phishingResistant = p.policy.phishingResistantRoles.has(p.role);
  const satisfied = phishingResistant ? p.factors.passkey : p.factors.totp || p.factors.passkey;
  if (!required) return { required, phishingResistant, dueAt: null, satisfied, enforced: false };
  // No date stored (a policy written before dates were kept): counted from the activation alone.
  const since = p.policy.requiredSince[p.role]?.getTime() ?? 0;
  const start = Math.max(since, p.activatedAt?.getTime() ?? since);
  const dueAt = new Date(start + p.policy.gracePeriodDays * dayMs);
  return {
    required,
    phishingResistant,
    dueAt,
    satisfied,
    enforced: !satisfied && p.now.getTime() >= dueAt.getTime(),
  };
}
