import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '../../config.js';

const resolved = new Map<string, Promise<string>>();

/**
 * The secret that encrypts private signing keys at rest. Production sets ROSTER_SECRET_KEY (config refuses
 * to start without it); in development a random secret is generated once into `<dataDir>/secret.key`
 * (mode 0600) so that a restart can still decrypt the keys it made before.
 */
export function resolveSecretKey(config: Pick<Config, 'secretKey' | 'dataDir'>): Promise<string> {
  if (config.secretKey) return Promise.resolve(config.secretKey);
  const path = resolve(config.dataDir, 'secret.key');
  let p = resolved.get(path);
  if (!p) {
    p = readOrCreateSecret(path);
    resolved.set(path, p);
    p.catch(() => resolved.delete(path));
  }
  return p;
}

async function readOrCreateSecret(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(resolve(path, '..'), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': never overwrite a secret another process wrote first (that would orphan its keys).
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return (await readFile(path, 'utf8')).trim();
  }
}
