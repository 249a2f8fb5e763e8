// The bare hash rate, the sign-in benchmark's same-run baseline: `concurrency` loops verifying one argon2id
// hash for `seconds`, in a child process pinned like the API server (the same cores, the same libuv thread
// pool). Mode `library`: @node-rs/argon2's verify itself, as many at once as the loops ask (libuv runs four);
// mode `product`: the product's verifyPassword (one hash per core at a time). Prints {"verifies", "seconds"}.
import { verify } from '@node-rs/argon2';
import { verifyPassword } from '../src/domain/security/password-hash.js';

const [mode, hash, password, concurrency, seconds] = process.argv.slice(2);
if (!hash || !password || (mode !== 'library' && mode !== 'product')) {
  throw new Error('usage: argon2-rate.ts library|product <hash> <password> <concurrency> <seconds>');
}
const check = mode === 'library' ? () => verify(hash, password) : () => verifyPassword(hash, password);
const until = Date.now() + Number(seconds) * 1000;
let verifies = 0;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (Date.now() < until) {
      if (!(await check())) throw new Error('the baseline hash did not verify');
      verifies += 1;
    }
  }),
);
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ verifies, seconds: elapsed })}\n`);
