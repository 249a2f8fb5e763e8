import { describe, expect, it } from 'vitest';
import { secondFactorMethodsFrom } from './factors.js';

describe('secondFactorMethodsFrom', () => {
  const none = { totp: false, recovery: false, passkey: false };
  it('gives nothing without a factor (recovery codes alone do not count)', () => {
    expect(secondFactorMethodsFrom(none)).toEqual([]);
    expect(secondFactorMethodsFrom({ ...none, recovery: true })).toEqual([]);
  });
  it('gives each enrolled method, recovery codes only beside the app', () => {
    expect(secondFactorMethodsFrom({ ...none, totp: true })).toEqual(['TOTP']);
    expect(secondFactorMethodsFrom({ ...none, totp: true, recovery: true })).toEqual([
      'TOTP',
      'RECOVERY_CODE',
    ]);
    expect(secondFactorMethodsFrom({ ...none, passkey: true })).toEqual(['WEBAUTHN']);
    expect(secondFactorMethodsFrom({ ...none, passkey: true, recovery: true })).toEqual(['WEBAUTHN']);
    expect(secondFactorMethodsFrom({ totp: true, recovery: true, passkey: true })).toEqual([
      'TOTP',
      'RECOVERY_CODE',
      'WEBAUTHN',
    ]);
  });
  it('a phishing-resistant role with a passkey gets only the passkey; without one the app still works', () => {
    expect(secondFactorMethodsFrom({ totp: true, recovery: true, passkey: true }, true)).toEqual([
      'WEBAUTHN',
    ]);
    expect(secondFactorMethodsFrom({ totp: true, recovery: true, passkey: false }, true)).toEqual([
      'TOTP',
      'RECOVERY_CODE',
    ]);
  });
});
