import { SignJWT, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCompactJws } from './compact-jws.js';

describe('signCompactJws', () => {
  it('writes exactly what jose SignJWT writes for the same header and claims (Ed25519 is deterministic)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const claims = {
      org: 'o-1',
      sid: 's-1',
      role: 'viewer',
      amr: ['pwd'],
      acr: 'aal1',
      auth_time: 1_700_000_000,
    };
    const header = { alg: 'EdDSA', typ: 'at+jwt', kid: 'k-1' };
    const viaJose = await new SignJWT(claims)
      .setProtectedHeader(header)
      .setIssuer('https://roster.example')
      .setAudience('roster-api')
      .setSubject('u-1')
      .setIssuedAt(1_700_000_000)
      .setExpirationTime(1_700_000_900)
      .setJti('j-1')
      .sign(privateKey);
    const ours = signCompactJws(
      header,
      {
        ...claims,
        iss: 'https://roster.example',
        aud: 'roster-api',
        sub: 'u-1',
        iat: 1_700_000_000,
        exp: 1_700_000_900,
        jti: 'j-1',
      },
      privateKey,
    );
    expect(ours).toBe(viaJose);
    const verified = await jwtVerify(ours, publicKey, {
      currentDate: new Date(1_700_000_100_000),
      audience: 'roster-api',
      issuer: 'https://roster.example',
    });
    expect(verified.payload.sub).toBe('u-1');
    expect(verified.protectedHeader.kid).toBe('k-1');
  });

  it('refuses a key that is not an Ed25519 private key', async () => {
    const ed = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const ec = await generateKeyPair('ES256');
    expect(() => signCompactJws({ alg: 'EdDSA' }, {}, ed.publicKey)).toThrow(/Ed25519 private key/);
    expect(() => signCompactJws({ alg: 'EdDSA' }, {}, ec.privateKey)).toThrow(/Ed25519 private key/);
    expect(() => signCompactJws({ alg: 'EdDSA' }, {}, new Uint8Array(32))).toThrow(/Ed25519 private key/);
  });
});
