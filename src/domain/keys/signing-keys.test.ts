import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js';
import { resolveSecretKey } from './secret-key.js';
import { keysToRetire } from './signing-keys.js';

describe('signing keys', () => {
  it('generates a development secret once, mode 0600, and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-secret-'));
    try {
      const a = await resolveSecretKey({ secretKey: undefined, dataDir: dir });
      const b = await resolveSecretKey({ secretKey: undefined, dataDir: dir });
      expect(a).toBe(b);
      expect(a.length).toBeGreaterThanOrEqual(43);
      const file = join(dir, 'secret.key');
      expect((await readFile(file, 'utf8')).trim()).toBe(a);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(
        await resolveSecretKey({ secretKey: 'configured-secret-configured-secret-1234', dataDir: dir }),
      ).toBe('configured-secret-configured-secret-1234');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('seals private keys with AES-256-GCM: a different secret, kid or a changed byte does not open them', () => {
    const sealed = encryptPrivateKey('s'.repeat(40), 'kid-1', '{"d":"secret-part"}');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(sealed).not.toContain('secret-part');
    expect(decryptPrivateKey('s'.repeat(40), 'kid-1', sealed)).toBe('{"d":"secret-part"}');
    expect(() => decryptPrivateKey('t'.repeat(40), 'kid-1', sealed)).toThrow();
    expect(() => decryptPrivateKey('s'.repeat(40), 'kid-2', sealed)).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[2] = body.toString('base64url');
    expect(() => decryptPrivateKey('s'.repeat(40), 'kid-1', parts.join('.'))).toThrow();
  });

  it('retires only keys superseded longer ago than a token lives (plus a minute)', () => {
    const t = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
    const keys = [
      { kid: 'a', createdAt: t(0) },
      { kid: 'b', createdAt: t(30) },
      { kid: 'c', createdAt: t(50) },
    ];
    // ttl 600 s: a was superseded at :30 (retire after :41), b at :50 (after 1:01); c is active.
    expect(keysToRetire(keys, t(41), 600)).toEqual([]);
    expect(keysToRetire(keys, new Date(t(41).getTime() + 1), 600)).toEqual(['a']);
    expect(keysToRetire(keys, t(62), 600)).toEqual(['b', 'a']);
    expect(keysToRetire([keys[0]!], t(600), 600)).toEqual([]);
  });
});
