import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { isRoleKey, type RoleKey } from '../../authz/roles.js';
import type { Actor, Services } from '../shared/context.js';
import { signCompactJws } from '../keys/compact-jws.js';
import { signingAlgorithm } from '../keys/signing-keys.js';
import { isUuid } from '../shared/ids.js';
import type { SessionRestriction } from './create-session.js';
import { sessionServices } from './session-services.js';

/** The stored restriction as its type (the column's check allows only these). */
export function sessionRestrictionOf(stored: string | null): SessionRestriction | null {
  return stored === 'mfa_enrolment' ? stored : null;
}

/** The audience of access tokens; tokens meant for anything else are refused. */
export const accessTokenAudience = 'roster-api';
export const accessTokenType = 'at+jwt';
/**
 * How far in the future a token's `iat` may lie: clocks of two instances drift by a few seconds, never by
 * half a minute. Lifetimes are NOT given this slack: `exp` and `iat` come from one clock, the issuer's.
 */
export const accessTokenClockSkewSeconds = 30;

export type UserActor = Extract<Actor, { type: 'user' }>;

export interface IssueAccessToken {
  userId: string;
  orgId: string;
  role: RoleKey;
  sessionId: string;
  /** The token never outlives its session. */
  notAfter: Date;
  /** The session's authentication, carried as the OIDC claims `amr`, `acr` and `auth_time`. */
  authentication: TokenAuthentication;
}

export interface TokenAuthentication {
  amr: string[];
  acr: string;
  authTime: Date;
}

/**
 * Signs an access token (RFC 9068 shape) with the active Ed25519 key. `auth_time` is informational: a check
 * of a recent authentication (step-up) reads the session, which a re-authentication moves without a new token.
 */
export async function issueAccessToken(
  services: Services,
  t: IssueAccessToken,
): Promise<{ accessToken: string; expiresAt: Date }> {
  const { kid, key } = await sessionServices(services).keys.signingKey();
  const nowS = Math.floor(services.clock.now().getTime() / 1000);
  const expS = Math.min(
    nowS + services.config.accessTokenTtlSeconds,
    Math.floor(t.notAfter.getTime() / 1000),
  );
  // Claims in the order jose's SignJWT writes them (the test compares the two byte for byte).
  const accessToken = signCompactJws(
    { alg: signingAlgorithm, typ: accessTokenType, kid },
    {
      org: t.orgId,
      sid: t.sessionId,
      role: t.role,
      amr: t.authentication.amr,
      acr: t.authentication.acr,
      auth_time: Math.floor(t.authentication.authTime.getTime() / 1000),
      iss: services.config.publicUrl,
      aud: accessTokenAudience,
      sub: t.userId,
      iat: nowS,
      exp: expS,
      // RFC 9068 §2.2 requires it; it also makes every token distinct, so two issued in the same second for
      // one session (a refresh right after an MFA enrolment lifted a restriction) never share a cache entry.
      jti: randomUUID(),
    },
    key,
  );
  return { accessToken, expiresAt: new Date(expS * 1000) };
}

export type VerifyResult =
  | { ok: true; actor: UserActor; restriction: SessionRestriction | null }
  | { ok: false; reason: 'expired' | 'invalid' };

interface CachedVerification {
  actor: UserActor;
  /** The session's restriction when the token was first checked (a restriction is only ever lifted). */
  restriction: SessionRestriction | null;
  expMs: number;
}

/**
 * Verifies access tokens: EdDSA only, our issuer and audience, typ at+jwt, kid from our own key set; `iat`
 * not in the future (beyond `accessTokenClockSkewSeconds`), `exp - iat` within the configured lifetime,
 * and `sid` naming a session of that user in that organisation (RFC 8725 §3.10, security.md): a token
 * signed with our key but not issued by `issueAccessToken` for a real session is refused like any invalid
 * one. A token that verified once is remembered (bounded, least recently used out first) until it expires,
 * so a repeated token costs a Map lookup instead of a signature check (about 150 us) and the session
 * lookup (one primary-key query, made once per token). Revocation is NOT cached: the caller checks the
 * registry on every request.
 */
export class AccessTokenVerifier {
  private readonly cache = new Map<string, CachedVerification>();

  constructor(
    private readonly services: Services,
    private readonly maxEntries = 20_000,
  ) {}

  async verify(token: string): Promise<VerifyResult> {
    const nowMs = this.services.clock.now().getTime();
    const hit = this.cache.get(token);
    if (hit) {
      if (hit.expMs > nowMs) {
        this.cache.delete(token);
        this.cache.set(token, hit);
        return { ok: true, actor: hit.actor, restriction: hit.restriction };
      }
      this.cache.delete(token);
      return { ok: false, reason: 'expired' };
    }
    return this.verifySlow(token, nowMs);
  }

  private async verifySlow(token: string, nowMs: number): Promise<VerifyResult> {
    const { config } = this.services;
    const keys = sessionServices(this.services).keys;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          const key = typeof header.kid === 'string' ? await keys.verificationKey(header.kid) : undefined;
          if (!key) throw new joseErrors.JWKSNoMatchingKey();
          return key;
        },
        {
          algorithms: [signingAlgorithm],
          issuer: config.publicUrl,
          audience: accessTokenAudience,
          typ: accessTokenType,
          currentDate: new Date(nowMs),
          requiredClaims: ['exp', 'iat', 'sub', 'org', 'sid', 'role'],
        },
      ));
    } catch (err) {
      return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid' };
    }
    const { sub, org, sid, role, exp, iat } = payload;
    if (
      typeof sub !== 'string' ||
      typeof org !== 'string' ||
      typeof sid !== 'string' ||
      typeof role !== 'string' ||
      !isRoleKey(role) ||
      typeof exp !== 'number' ||
      typeof iat !== 'number' ||
      iat * 1000 > nowMs + accessTokenClockSkewSeconds * 1000 ||
      exp - iat > config.accessTokenTtlSeconds
    ) {
      return { ok: false, reason: 'invalid' };
    }
    const session = await this.sessionOf(sid, sub, org);
    if (!session) return { ok: false, reason: 'invalid' };
    const actor: UserActor = Object.freeze({ type: 'user', userId: sub, orgId: org, role, sessionId: sid });
    const restriction = sessionRestrictionOf(session.restriction);
    this.remember(token, { actor, restriction, expMs: exp * 1000 });
    return { ok: true, actor, restriction };
  }

  /**
   * The session `sid` names, when it is a session of this user in this organisation (with its restriction):
   * once per token, on its first verification (a primary-key lookup). Whether it is revoked or expired is not asked here: the registry
   * answers revocation on every request, and the session's lifetimes cap the token's `exp` at issue. A
   * failing database is not a refusal: the error propagates (fail closed, and visible as such).
   */
  private async sessionOf(
    sid: string,
    userId: string,
    orgId: string,
  ): Promise<{ restriction: string | null } | undefined> {
    if (!isUuid(sid) || !isUuid(userId) || !isUuid(orgId)) return undefined;
    return this.services.db
      .selectFrom('sessions')
      .select('restriction')
      .where('id', '=', sid)
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  private remember(token: string, entry: CachedVerification): void {
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, entry);
  }
}
