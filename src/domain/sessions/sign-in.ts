import { sql } from 'kysely';
import { z } from 'zod';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { SessionRow, UserRow } from '../../db/schema.js';
import { scopeOf, withTransaction, type Tx } from '../../db/transaction.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { DomainError } from '../errors.js';
import { verifyAgainstDummy, verifyPassword } from '../security/password-hash.js';
import {
  recordSignInFailure,
  recordSignInSuccess,
  refundSignInAttempt,
  reserveSignInAttempt,
  type SignInFailureReason,
} from '../security/sign-in-throttle.js';
import type { RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { normalizeEmail } from '../users/user-record.js';
import { secondFactorChallengeFor } from '../mfa/second-step.js';
import type { IssuedMfaChallenge } from '../mfa/mfa-challenge.js';
import { issueAccessToken, sessionRestrictionOf } from './access-token.js';
import { mfaRequirementFor, restrictionFor } from '../mfa/enrolment-restriction.js';
import { mfaPolicyOf, type MfaPolicy } from '../mfa/mfa-policy.js';
import {
  openSession,
  type AuthMethod,
  type SessionAuthentication,
  type SessionRestriction,
} from './create-session.js';
import { maxSessionsPerUserOf, sessionPolicyOf, type SessionPolicy } from './session-policy.js';
import { endSessionsBeyondLimit } from './session-limit.js';
import type { RevocationRegistry } from './revocation-registry.js';
import { sessionServices } from './session-services.js';

export const signInInput = z
  .object({
    email: z.string().max(320),
    password: z.string().max(1024),
    /** The organisation's slug; needed only when the email exists in several organisations. */
    organization: z.string().max(64).nullish(),
  })
  .strict();

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  sessionId: string;
  user: UserRow;
  /** 'mfa_enrolment': the session may only enrol a second factor (the organisation's MFA policy). */
  restriction: SessionRestriction | null;
}

/** The password was right and a second factor is due: no session yet (security/mfa-totp). */
export interface MfaRequired {
  mfaChallenge: IssuedMfaChallenge;
  user: UserRow;
}

export type Candidate = UserRow & { org_settings: Record<string, unknown> };

/** At most this many accounts are tried for one email without an organisation (each costs a hash). */
const maxCandidates = 10;

const failed = () => new DomainError('SIGN_IN_FAILED');

/**
 * Password sign-in. There is no actor to authorize yet: this is how an anonymous caller becomes one.
 * Unknown email, wrong password, no password yet, locked, suspended, deactivated or invited all answer
 * SIGN_IN_FAILED, after the same work (one argon2id verification, real or against a dummy hash). The one
 * exception: a suspended account given its *correct* password answers ACCOUNT_SUSPENDED with the end of
 * the suspension, which tells the caller nothing they did not already prove they know (the suspension
 * notice told the person the same).
 */
export async function signInWithPassword(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof signInInput>,
): Promise<SignedIn | MfaRequired> {
  const input = parseInput(signInInput, raw);
  const now = services.clock.now();
  const slug = input.organization?.trim().toLowerCase() || null;
  const candidates = await findCandidates(services, normalizeEmail(input.email), slug);

  const reservation = await reserveSignInAttempt(
    services.db,
    {
      source: `ip:${meta.ip ?? 'unknown'}`,
      accounts: candidates.map((c) => ({ id: c.id, orgId: c.org_id })),
    },
    now,
  );
  // The caller's own address is over its limit: nothing about any account is learnt from this answer.
  if (!reservation.sourceAllowed) throw failed();

  const outcomes: {
    user: Candidate;
    ok: boolean;
    passwordOk: boolean;
    reason: SignInFailureReason;
  }[] = [];
  for (const user of candidates) {
    const allowed = reservation.accounts.get(user.id)?.allowed === true;
    const passwordOk =
      allowed && user.password_hash !== null
        ? await verifyPassword(user.password_hash, input.password)
        : await verifyAgainstDummy(input.password);
    const reason: SignInFailureReason = !user.password_hash
      ? 'no_password'
      : !passwordOk
        ? 'wrong_password'
        : 'not_active';
    outcomes.push({
      user,
      ok: allowed && passwordOk && user.status === 'active',
      passwordOk: allowed && passwordOk,
      reason,
    });
  }
  if (candidates.length === 0) await verifyAgainstDummy(input.password);

  const winners = outcomes.filter((o) => o.ok);
  if (winners.length > 0 && candidates.length > 1) {
    // The password is right for at least one of several accounts: the person may learn that the email
    // needs an organisation; the attempt is given back to every account tried (it was no failure).
    await refundSignInAttempt(services.db, reservation);
    throw new DomainError('ORGANIZATION_REQUIRED');
  }
  const winner = winners[0];
  const suspended = outcomes.filter((o) => o.passwordOk && o.user.status === 'suspended');
  if (!winner && suspended.length === 1 && candidates.length === 1) {
    // The right password: not a failed guess, so the attempt is given back and the count left alone.
    await refundSignInAttempt(services.db, reservation);
    throw accountSuspended(suspended[0]!.user.suspended_until);
  }
  if (!winner) {
    await recordSignInFailure(
      services.db,
      reservation,
      outcomes.map((o) => ({ userId: o.user.id, reason: o.reason })),
      meta,
    );
    throw failed();
  }
  // MFA (security/mfa-totp): with a confirmed second factor the password opens no session, only a
  // challenge for `completeSignIn`. The leases go back but the failure count stays: only a completed
  // sign-in starts it again, so a known password cannot be used to reset the count between code guesses.
  const secondStep = await secondFactorChallengeFor(services, winner.user, now);
  if (secondStep) {
    await refundSignInAttempt(services.db, reservation);
    return { mfaChallenge: secondStep, user: winner.user };
  }
  try {
    return await completeSignIn(services, meta, winner.user, 'password', reservation);
  } catch (err) {
    // Suspended meanwhile, or the database failed: give the leases back now rather than at their expiry.
    await refundSignInAttempt(services.db, reservation).catch(() => undefined);
    throw err;
  }
}

/** ACCOUNT_SUSPENDED, saying until when (UTC; the console shows it in the reader's time zone). */
export function accountSuspended(until: Date | null): DomainError {
  const when = until
    ? `until ${until.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC`
    : 'until further notice';
  return new DomainError(
    'ACCOUNT_SUSPENDED',
    `Your account is suspended ${when}. Ask an administrator of your organisation if you need access sooner.`,
    { until: until?.toISOString() ?? null },
  );
}

async function findCandidates(services: Services, email: string, slug: string | null): Promise<Candidate[]> {
  let q = services.db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .selectAll('users')
    .select('organizations.settings as org_settings')
    .where('users.email_normalized', '=', email)
    .orderBy('users.created_at')
    .limit(maxCandidates);
  if (slug) q = q.where('organizations.slug', '=', slug);
  return (await q.execute()) as Candidate[];
}

/**
 * The end of every successful sign-in: under the user's row lock re-check that the account can still sign
 * in, clear its failure count, open the session, audit, then sign the access token after commit.
 */
export async function completeSignIn(
  services: Services,
  meta: RequestMeta,
  candidate: Candidate,
  method: AuthMethod,
  reservation: Awaited<ReturnType<typeof reserveSignInAttempt>>,
  /** Defaults to what the method alone proves. */
  authentication?: SessionAuthentication,
): Promise<SignedIn> {
  const now = reservation.now;
  const policy = sessionPolicyOf(
    candidate.org_settings,
    isRoleKey(candidate.role) ? candidate.role : undefined,
  );
  const lease = reservation.accounts.get(candidate.id)?.lease ?? null;
  const opened = await withTransaction(services.db, async (scope) => {
    // One statement locks the row, re-checks that the account may still sign in (suspended meanwhile: the
    // same failure as any other), records the sign-in, starts the failure count again (NIST: consecutive
    // failures) and gives the account's lease back: each statement here is a round trip made while the
    // row is locked, by a process whose cores are busy hashing other attempts.
    const user = await scope.trx
      .updateTable('users')
      .set({
        last_login_at: now,
        last_active_at: now,
        failed_login_count: 0,
        locked_until: null,
        sign_in_leases: lease ? sql`sign_in_leases - ${lease}::text` : sql`sign_in_leases`,
      })
      .where('org_id', '=', candidate.org_id)
      .where('id', '=', candidate.id)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
    if (!user || !isRoleKey(user.role)) throw failed();
    const signedIn = await openSignedInSession(scope.trx, {
      user,
      method,
      ...(authentication ? { authentication } : {}),
      policy,
      mfa: mfaPolicyOf(candidate.org_settings),
      limit: { maxSessions: maxSessionsPerUserOf(candidate.org_settings), revocations: services.revocations },
      meta,
      now,
      recorded: true,
    });
    await recordSignInSuccess(scope, services.db, reservation, user.id, { countReset: true });
    return signedIn;
  });
  return issueSignedIn(services, opened);
}

export interface OpenedSignIn {
  user: UserRow;
  role: RoleKey;
  session: SessionRow;
  refreshToken: string;
}

/**
 * Inside the caller's transaction, with the user's row locked and already checked to be active: record
 * the sign-in on the user, open the session with its first refresh token and audit `session.signed_in`
 * (with the method). Shared by every way of becoming signed in — a password, and the acceptance of an
 * invitation, which signs the person in with the password they have just set.
 */
export async function openSignedInSession(
  trx: Tx,
  s: {
    user: UserRow;
    method: AuthMethod;
    /** Defaults to what the method alone proves. */
    authentication?: SessionAuthentication;
    policy: SessionPolicy;
    /** The organisation's MFA policy: past their grace period without a factor, enrolment only. */
    mfa: MfaPolicy;
    /** The session limit (maxSessionsPerUser): the person's oldest live sessions beyond it end here. */
    limit: { maxSessions: number; revocations: RevocationRegistry };
    meta: RequestMeta;
    now: Date;
    /** The caller has already written the sign-in on the row (`user` is that row as written). */
    recorded?: boolean;
  },
): Promise<OpenedSignIn> {
  const { user, method, meta, now } = s;
  if (user.status !== 'active' || !isRoleKey(user.role)) throw failed();
  const role = user.role;
  const updated = s.recorded
    ? user
    : await trx
        .updateTable('users')
        .set({ last_login_at: now, last_active_at: now })
        .where('org_id', '=', user.org_id)
        .where('id', '=', user.id)
        .returningAll()
        .executeTakeFirstOrThrow();
  const requirement = await mfaRequirementFor(trx, {
    policy: s.mfa,
    orgId: user.org_id,
    userId: user.id,
    role,
    activatedAt: user.activated_at,
    now,
  });
  const { session, refreshToken } = await openSession(trx, {
    orgId: user.org_id,
    userId: user.id,
    method,
    ...(s.authentication ? { authentication: s.authentication } : {}),
    policy: s.policy,
    restriction: restrictionFor(requirement),
    meta,
    now,
  });
  const actor = {
    type: 'user' as const,
    userId: user.id,
    orgId: user.org_id,
    role,
    sessionId: session.id,
  };
  await recordAuditEvent(
    trx,
    user.org_id,
    { actor, meta, now },
    {
      action: 'session.signed_in',
      targetType: 'user',
      targetId: user.id,
      changes: {
        sessionId: session.id,
        method,
        amr: session.amr,
        acr: session.acr,
        ...(session.restriction ? { restriction: session.restriction } : {}),
      },
    },
  );
  // Under the user's row lock (the caller holds it), so two sign-ins cannot both keep one too many.
  const scope = scopeOf(trx);
  if (!scope) throw new Error('openSignedInSession runs inside withTransaction');
  await endSessionsBeyondLimit(scope, s.limit.revocations, {
    orgId: user.org_id,
    userId: user.id,
    max: s.limit.maxSessions,
    actor,
    meta,
    now,
  });
  return { user: updated, role, session, refreshToken };
}

/** After commit: sign the access token of a session just opened. */
export async function issueSignedIn(services: Services, opened: OpenedSignIn): Promise<SignedIn> {
  const { accessToken, expiresAt } = await issueAccessToken(services, {
    userId: opened.user.id,
    orgId: opened.user.org_id,
    role: opened.role,
    sessionId: opened.session.id,
    notAfter: opened.session.absolute_expires_at,
    authentication: {
      amr: opened.session.amr,
      acr: opened.session.acr,
      authTime: opened.session.auth_time,
    },
  });
  sessionServices(services).activity.written(opened.session.id);
  return {
    accessToken,
    refreshToken: opened.refreshToken,
    expiresAt,
    sessionId: opened.session.id,
    user: opened.user,
    restriction: sessionRestrictionOf(opened.session.restriction),
  };
}
