// The bare hash rate, the sign-in benchmark's same-run baseline: `concurrency` loops verifying one argon2id
// hash with the product's own verifyPassword for `seconds`, in a child process pinned like the API server
// (so it gets the same cores and the same libuv thread pool). Prints {"verifies": n, "seconds": s}.
import { verifyPassword } from '../src/domain/security/password-hash.js';

const [hash, password, concurrency, seconds] = process.argv.slice(2);
if (!hash || !password) throw new Error('usage: argon2-rate.ts <hash> <password> <concurrency> <seconds>');
const until = Date.now() + Number(seconds) * 1000;
let verifies = 0;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (Date.now() < until) {
      if (!(await verifyPassword(hash, password))) throw new Error('the baseline hash did not verify');
      verifies += 1;
    }
  }),
);
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ verifies, seconds: elapsed })}\n`);
