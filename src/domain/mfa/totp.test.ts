import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  base32Of,
  matchTotpStep,
  newTotpSecret,
  otpauthUri,
  timeStepAt,
  type TotpAlgorithm,
} from './totp.js';

// The product's own verification (`matchTotpStep`) against RFC 6238 Appendix B and against an independent
// implementation (oathtool, Debian's oath-toolkit).

// A copy of ../shared/data/totp-rfc6238.tsv (the product document's test vectors), kept in the repository (test/vectors)
// so a clone alone runs the suite.
const vectorsFile = resolve(import.meta.dirname, '../../../test/vectors/totp-rfc6238.tsv');
const vectors = readFileSync(vectorsFile, 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('time'))
  .map((l) => {
    const [time, sha1, sha256, sha512] = l.split('\t');
    return { time: Number(time), SHA1: sha1!, SHA256: sha256!, SHA512: sha512! };
  });

const rfcSecrets: Record<TotpAlgorithm, Uint8Array> = {
  SHA1: Buffer.from('12345678901234567890', 'ascii'),
  SHA256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  SHA512: Buffer.from('1234567890'.repeat(6) + '1234', 'ascii'),
};

describe('RFC 6238 Appendix B through matchTotpStep', () => {
  it('has the six vectors', () => expect(vectors).toHaveLength(6));
  for (const algorithm of ['SHA1', 'SHA256', 'SHA512'] as const) {
    for (const v of vectors) {
      it(`${algorithm} at T=${v.time}`, () => {
        const at = v.time * 1000;
        const c = { secret: rfcSecrets[algorithm], at, algorithm, digits: 8 };
        expect(matchTotpStep({ ...c, code: v[algorithm] })).toBe(timeStepAt(at));
        // One step later the same code is still accepted (window ±1) and names the earlier step.
        expect(matchTotpStep({ ...c, code: v[algorithm], at: at + 30_000 })).toBe(timeStepAt(at));
        // Two steps away it is not.
        expect(matchTotpStep({ ...c, code: v[algorithm], at: at + 60_000 })).toBeNull();
        // A wrong code, a wrong length, and the wrong algorithm's code are refused.
        const wrong = String((Number(v[algorithm]) + 1) % 1e8).padStart(8, '0');
        expect(matchTotpStep({ ...c, code: wrong })).toBeNull();
        expect(matchTotpStep({ ...c, code: v[algorithm].slice(2) })).toBeNull();
      });
    }
  }
});

describe('codes from oathtool', () => {
  const oathtool = '/usr/bin/oathtool';
  it('accepts the current code of an independent implementation, in the product defaults', () => {
    const secret = newTotpSecret();
    const b32 = base32Of(secret);
    for (let i = 0; i < 5; i++) {
      const at = Date.UTC(2026, 11, 3, 12, 0, 0) + i * 977_000;
      const iso = new Date(at)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
      const code = execFileSync(oathtool, ['--totp', '-b', b32, '--now', iso], { encoding: 'utf8' }).trim();
      expect(code).toMatch(/^\d{6}$/);
      expect(matchTotpStep({ secret, code, at })).toBe(timeStepAt(at));
      expect(matchTotpStep({ secret, code, at: at + 90_000 })).toBeNull();
    }
  });
  it('also with no time given: oathtool now, the product now', () => {
    const secret = newTotpSecret();
    const code = execFileSync(oathtool, ['--totp', '-b', base32Of(secret)], { encoding: 'utf8' }).trim();
    expect(matchTotpStep({ secret, code, at: Date.now() })).not.toBeNull();
  });
});

describe('otpauthUri', () => {
  it('names the issuer and the email, SHA-1, 6 digits, 30 s', () => {
    const secret = newTotpSecret();
    const uri = new URL(otpauthUri(secret, 'Acme & Co', 'ada@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme & Co:ada@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Acme & Co',
      secret: base32Of(secret),
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
