import { describe, expect, it } from 'vitest';
import { assertPasswordAcceptable, passwordProblems } from './password-policy.js';
import { hashPassword, verifyPassword } from './password-hash.js';

describe('password policy', () => {
  it('asks for 15 characters as the only factor and 8 with MFA, counting characters not bytes', () => {
    expect(passwordProblems('short-pass-14c')).toEqual(['too_short']);
    expect(passwordProblems('fifteen chars!!')).toEqual([]);
    expect(passwordProblems('eight ch', { hasMfa: true })).toEqual([]);
    expect(passwordProblems('ñandú-ñandú-ñandú')).toEqual([]);
    expect(passwordProblems('🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑x')).toEqual([]);
  });

  it('refuses common passwords, repeated characters and the email name', () => {
    expect(passwordProblems('password', { hasMfa: true })).toContain('common');
    expect(passwordProblems('aaaaaaaaaaaaaaaaaaaa')).toContain('common');
    expect(passwordProblems('jane.doe-is-my-password-now', { email: 'jane.doe@example.org' })).toContain(
      'contains_email',
    );
    expect(() => assertPasswordAcceptable('password')).toThrow(
      expect.objectContaining({ code: 'PASSWORD_POLICY' }),
    );
  });

  it('hashes with argon2id, never truncates, and normalises Unicode', async () => {
    const long = 'x'.repeat(100) + 'tail-that-matters';
    const h = await hashPassword(long);
    expect(h.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await verifyPassword(h, long)).toBe(true);
    expect(await verifyPassword(h, 'x'.repeat(100) + 'tail-that-differs')).toBe(false);
    const composed = await hashPassword('caf\u00e9 au lait, s’il vous plaît');
    expect(await verifyPassword(composed, 'cafe\u0301 au lait, s’il vous plaît')).toBe(true);
  });
});
