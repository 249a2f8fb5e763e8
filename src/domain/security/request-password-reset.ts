import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import type { CommandContext, RequestMeta, Services } from '../shared/context.js';
import { parseInput } from '../shared/parse-input.js';
import { newSecretToken } from '../shared/secret-token.js';
import { lockUser, normalizeEmail } from '../users/user-record.js';
import { hashResetToken } from './password-reset-link.js';
import { countRequestsInWindow } from './request-window.js';
import { issueAndSendPasswordReset } from './send-reset-link.js';

export const requestPasswordResetInput = z
  .object({
    email: z.string().max(320),
    /** The organisation's slug; without it every active account of the address gets its own link. */
    organization: z.string().max(64).nullish(),
  })
  .strict();

/**
 * Requests counted per address (`email:…`) and per source (`ip:…`) in fixed windows. Past either limit the
 * answer is the same, but nothing is sent: a flood can neither fill someone's mailbox nor tell anything.
 */
export const resetRequestRules = {
  perAddress: 3,
  perSource: 20,
  windowMs: 3_600_000,
  /**
   * The answer never leaves sooner than this after the request arrived (real time), whether or not a
   * link was issued: issuing one writes rows and an email, which an unknown address does not, and this
   * floor hides that difference from a stopwatch.
   */
  minAnswerMs: 250,
  /** At most this many accounts (organisations) get a link for one address without an organisation. */
  maxAccounts: 10,
} as const;

/**
 * Forgot password: anonymous. Always answers the same (nothing) after at least `minAnswerMs`: an unknown
 * address, a suspended, deactivated or invited account, a throttled request and a real one are alike to
 * the caller. Only an ACTIVE account is sent a link — a suspended or deactivated person must not regain
 * access this way, and an invited one uses their invitation — so nothing is sent for the others (the
 * request is not audited either: there is no account to record it against, or it would tell an
 * administrator nothing an attacker could not provoke at will).
 *
 * A link is issued per active account of the address (one per organisation, when the email exists in
 * several and none was named), each bound to its user and organisation, valid 30 minutes, and ending the
 * account's older links.
 */
export async function requestPasswordReset(
  services: Services,
  meta: RequestMeta,
  raw: z.input<typeof requestPasswordResetInput>,
): Promise<void> {
  const input = parseInput(requestPasswordResetInput, raw);
  const answerAt = Date.now() + resetRequestRules.minAnswerMs;
  try {
    await issueLinks(services, meta, input);
  } finally {
    const wait = answerAt - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

async function issueLinks(
  services: Services,
  meta: RequestMeta,
  input: z.output<typeof requestPasswordResetInput>,
): Promise<void> {
  const now = services.clock.now();
  const email = normalizeEmail(input.email);
  const slug = input.organization?.trim().toLowerCase() || null;
  // The same work whatever the address: count, look up, make a token and hash it.
  const allowed = await countRequest(services, email, `ip:${meta.ip ?? 'unknown'}`, now);
  let q = services.db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.org_id')
    .select(['users.id', 'users.org_id'])
    .where('users.email_normalized', '=', email)
    .where('users.status', '=', 'active')
    .orderBy('users.created_at')
    .limit(resetRequestRules.maxAccounts);
  if (slug) q = q.where('organizations.slug', '=', slug);
  const accounts = await q.execute();
  const token = newSecretToken();
  hashResetToken(token);
  if (!allowed) {
    if (accounts.length > 0) services.logger.warn({ requestId: meta.requestId }, 'password reset throttled');
    return;
  }
  for (const [i, account] of accounts.entries()) {
    const ctx: CommandContext = {
      ...services,
      actor: { type: 'system', orgId: account.org_id, name: 'password-reset' },
      meta,
    };
    await withTransaction(services.db, async (scope) => {
      const user = await lockUser(scope.trx, account.org_id, account.id);
      if (user.status !== 'active') return; // suspended or deactivated meanwhile
      await issueAndSendPasswordReset(scope, ctx, {
        user,
        now,
        requestedBy: 'self',
        ...(i === 0 ? { token } : {}),
      });
    });
  }
}

/**
 * One statement: the request counted for the address and for the source (each window starting again once
 * it has passed); allowed when neither is over its limit. Both are counted even when one is over, so a
 * flood keeps its source blocked.
 */
async function countRequest(services: Services, email: string, source: string, now: Date): Promise<boolean> {
  const addressKey = `email:${email}`;
  const counts = await countRequestsInWindow(
    services.db,
    [addressKey, source],
    resetRequestRules.windowMs,
    now,
  );
  const count = (key: string) => counts.get(key) ?? Number.POSITIVE_INFINITY;
  return count(addressKey) <= resetRequestRules.perAddress && count(source) <= resetRequestRules.perSource;
}
