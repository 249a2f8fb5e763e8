import { describe, expect, it } from 'vitest';
import { actorMayGrantRole, personalTokenPermissions } from '../../authz/actor-permissions.js';
import { permissionsOf } from '../../authz/roles.js';
import { ManualClock } from '../shared/clock.js';
import { permissionsOfScopes } from './credential-rules.js';
import { hashCredentialSecret, issueCredentialSecret, parseCredentialToken } from './credential-secret.js';
import { TokenRateLimiter } from './token-rate-limit.js';

const config = { secretKey: 'unit-secret-key-unit-secret-key-0123456789', dataDir: '/nonexistent' };

describe('credential secrets', () => {
  it('round-trips the token format and binds the hash to kind, id and the server key', async () => {
    const issued = await issueCredentialSecret(config, 'pat');
    const parsed = parseCredentialToken(issued.token)!;
    expect(parsed).toMatchObject({ kind: 'pat', id: issued.id });
    expect(await hashCredentialSecret(config, 'pat', parsed.id, parsed.secret)).toBe(issued.hash);
    expect(await hashCredentialSecret(config, 'scim', parsed.id, parsed.secret)).not.toBe(issued.hash);
    const otherKey = { ...config, secretKey: 'another-secret-key-another-secret-key-0123' };
    expect(await hashCredentialSecret(otherKey, 'pat', parsed.id, parsed.secret)).not.toBe(issued.hash);
    for (const bad of [
      '',
      'rst_pat_',
      `${issued.token}x`,
      issued.token.replace('rst_', 'rs_'),
      ` ${issued.token}`,
    ]) {
      expect(parseCredentialToken(bad)).toBeNull();
    }
  });
});

describe('what a token holds', () => {
  it('a personal token holds min(its list, the role), and nothing once the role lacks api:access', () => {
    const narrowed = personalTokenPermissions('investigator', new Set(['documents:read', 'users:suspend']));
    expect([...narrowed]).toEqual(['documents:read']);
    expect(personalTokenPermissions('investigator', null)).toEqual(permissionsOf('investigator'));
    expect(personalTokenPermissions('viewer', null).size).toBe(0);
  });

  it('a narrowed token grants no role holding a permission it lacks; a SCIM token none above maxRole', () => {
    const narrow = {
      type: 'personal_token' as const,
      tokenId: 't',
      userId: 'u',
      orgId: 'o',
      role: 'administrator' as const,
      permissions: new Set(['users:change_role', 'api:access'] as const),
    };
    expect(actorMayGrantRole(narrow, 'viewer')).toBe(false);
    expect(actorMayGrantRole({ ...narrow, permissions: null }, 'viewer')).toBe(true);
    const scim = {
      type: 'api_credential' as const,
      credentialId: 'c',
      orgId: 'o',
      scopes: ['role_mapping'],
      maxRole: 'user_manager' as const,
      permissions: permissionsOfScopes(['role_mapping']),
    };
    expect(actorMayGrantRole(scim, 'user_manager')).toBe(true);
    expect(actorMayGrantRole(scim, 'administrator')).toBe(false);
    expect(permissionsOfScopes(['groups']).has('users:suspend')).toBe(false);
  });
});

describe('token rate limit', () => {
  it('allows the burst, then one per refill interval, and says how long to wait', () => {
    const clock = new ManualClock();
    const limiter = new TokenRateLimiter(clock);
    const rule = { burst: 3, perSecond: 0.5 };
    for (let i = 0; i < 3; i += 1) expect(limiter.take('a', rule)).toEqual({ ok: true });
    expect(limiter.take('a', rule)).toEqual({ ok: false, retryAfterSeconds: 2 });
    expect(limiter.take('b', rule)).toEqual({ ok: true });
    clock.advance(1000);
    expect(limiter.take('a', rule)).toEqual({ ok: false, retryAfterSeconds: 1 });
    clock.advance(1000);
    expect(limiter.take('a', rule)).toEqual({ ok: true });
  });
});
