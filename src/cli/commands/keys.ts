import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { listSigningKeys, rotateSigningKey } from '../../domain/keys/rotate-signing-key.js';
import { createRuntime } from '../../runtime.js';

/** `roster keys rotate | list`: the signing keys of access tokens. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage the keys that sign access tokens');
  keys
    .command('rotate')
    .description('make a new signing key; older keys stay published until their tokens have expired')
    .action(async () => {
      const runtime = await createRuntime(loadConfig(), { followRevocations: false });
      try {
        const r = await rotateSigningKey(runtime.services);
        process.stdout.write(
          `New signing key ${r.kid}; running servers use it within a minute.\n` +
            (r.retired.length > 0 ? `Retired: ${r.retired.join(', ')}\n` : ''),
        );
      } finally {
        await runtime.close();
      }
    });
  keys
    .command('list')
    .description('list signing keys (public information only)')
    .action(async () => {
      const runtime = await createRuntime(loadConfig(), { followRevocations: false });
      try {
        for (const k of await listSigningKeys(runtime.services)) {
          const state = k.retiredAt ? `retired ${k.retiredAt.toISOString()}` : 'published';
          process.stdout.write(`${k.kid}  ${k.alg}  created ${k.createdAt.toISOString()}  ${state}\n`);
        }
      } finally {
        await runtime.close();
      }
    });
}
