import type { Clock } from '../shared/clock.js';

/**
 * A token bucket per credential, in this process (the house has no shared limiter: the sign-in throttle
 * is a database counter for a different purpose, GraphQL bounds a request's cost, not a client's rate).
 * Each instance allows `burst` requests at once and `perSecond` sustained; with N instances behind a
 * balancer a token gets at most N times that, which is acceptable for a guard against a runaway client.
 */
export interface RateLimitRule {
  burst: number;
  perSecond: number;
}

/**
 * An identity provider works through one token, and its first synchronisation of a large organisation is
 * thousands of look-ups and writes in a row (issue 13 asks for >= 200 SCIM writes/s per box): the limit sits
 * above that rate, as a guard against a runaway or stolen token rather than a throttle of normal work.
 */
export const scimRateLimit: RateLimitRule = { burst: 500, perSecond: 250 };
export const personalTokenRateLimit: RateLimitRule = { burst: 60, perSecond: 10 };

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

export class TokenRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 50_000,
  ) {}

  take(key: string, rule: RateLimitRule): RateDecision {
    const now = this.clock.now().getTime();
    const b = this.buckets.get(key) ?? { tokens: rule.burst, at: now };
    const refilled = Math.min(rule.burst, b.tokens + ((now - b.at) / 1000) * rule.perSecond);
    if (refilled < 1) {
      this.buckets.set(key, { tokens: refilled, at: now });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - refilled) / rule.perSecond)) };
    }
    if (!this.buckets.has(key) && this.buckets.size >= this.maxEntries) {
      // Full buckets are the default state: forgetting the oldest entry only ever lets a client through.
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    this.buckets.set(key, { tokens: refilled - 1, at: now });
    return { ok: true };
  }
}
