// Sign-in throughput over HTTP GraphQL against the bare argon2id verification rate measured in the same
// run with the same concurrency on the same core (issue 10, item 4; performance.md: sign-in >= 0.8 of the
// bare hash rate, 0 errors at 10 concurrent clients). The clients sign in 1,000 dedicated accounts of the
// bench organisation (bench-signin-<n>@example.test, created once, beside the seeded users) in turn.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { hashPassword } from '../src/domain/security/password-hash.js';
import { normalizeEmail, searchTextOf } from '../src/domain/users/user-record.js';
import { benchOrgSlug, prepareDataset, type BenchTarget } from './dataset.js';
import { startServer } from './http.js';

/**
 * Enough accounts that a run's ~3,000 sign-ins open about three sessions each: a typical sign-in, below the
 * session limit (10 by default). With 100 accounts every sign-in after the tenth also ended the person's
 * oldest session (a revocation and its audit event): that case is the limit's, not a sign-in's.
 */
export const signInAccounts = 1000;
const percentile = (sorted: number[], q: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
const password = 'bench sign-in password 2026';
const emailOf = (i: number) => `bench-signin-${String(i).padStart(3, '0')}@example.test`;

export interface SignInBenchOptions {
  /** Seconds of sign-in load per round (the baselines take as long again). */
  seconds: number;
  connections: number;
  /** Baseline and load alternate this many times: the machine is shared and its speed drifts. */
  rounds: number;
}

export interface SignInRound {
  bareHash: { library: number; product: number; best: number };
  signInPerSecond: number;
  ratio: number;
}

export interface SignInBenchResult {
  target: string;
  users: number;
  connections: number;
  rounds: SignInRound[];
  bareHashPerSecond: number;
  signIn: {
    perSecond: number;
    requests: number;
    errors: number;
    errorCodes: Record<string, number>;
    p50Ms: number;
    p90Ms: number;
    p99Ms: number;
    maxMs: number;
  };
  /** Sign-ins over the bare rate, all rounds together; and the median of the rounds' ratios. */
  ratio: number;
  medianRoundRatio: number;
  target08Met: boolean;
}

/** Makes sure the sign-in accounts exist, active, unlocked, with the bench password; returns one hash. */
async function prepareAccounts(target: BenchTarget, users: number): Promise<{ hash: string; users: number }> {
  const ds = await prepareDataset(target, users);
  try {
    const { db } = ds.runtime.services;
    const now = ds.runtime.services.clock.now();
    const hash = await hashPassword(password);
    for (let i = 0; i < signInAccounts; i++) {
      const email = emailOf(i);
      await db
        .insertInto('users')
        .values({
          org_id: ds.orgId,
          email,
          email_normalized: normalizeEmail(email),
          display_name: `Bench Sign-in ${i}`,
          search_text: searchTextOf(`Bench Sign-in ${i}`, email),
          role: 'viewer',
          status: 'active',
          password_hash: hash,
          created_at: now,
          updated_at: now,
          activated_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    // A previous run may have left counts or sessions: start each run from the same state.
    const emails = Array.from({ length: signInAccounts }, (_, i) => normalizeEmail(emailOf(i)));
    await db
      .updateTable('users')
      .set({
        password_hash: hash,
        status: 'active',
        failed_login_count: 0,
        locked_until: null,
        sign_in_leases: sql`'{}'::jsonb`,
      })
      .where('org_id', '=', ds.orgId)
      .where('email_normalized', 'in', emails)
      .execute();
    await db.deleteFrom('sign_in_throttle').where('source', 'like', 'ip:%').execute();
    await db
      .updateTable('sessions')
      .set({ revoked_at: new Date(), revoked_reason: 'bench.reset' })
      .where('org_id', '=', ds.orgId)
      .where('revoked_at', 'is', null)
      .where('user_id', 'in', (eb) =>
        eb
          .selectFrom('users')
          .select('id')
          .where('org_id', '=', ds.orgId)
          .where('email_normalized', 'in', emails),
      )
      .execute();
    return { hash, users: ds.users };
  } finally {
    await ds.runtime.close();
  }
}

function hashRate(mode: 'library' | 'product', hash: string, connections: number, seconds: number): number {
  const node = [process.execPath, '--import', 'tsx', 'bench/argon2-rate.ts'];
  const args = [...node, mode, hash, password, String(connections), String(seconds)];
  const cmd = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0', ...args] : args;
  const out = execFileSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop() as string) as { verifies: number; seconds: number };
  return r.verifies / r.seconds;
}

/**
 * The denominator: the better of the library's own rate (libuv's four threads) and the product's bounded
 * hashing, each at the same concurrency on the server's core, for half the round's seconds each.
 */
function bareHashRate(hash: string, connections: number, seconds: number): SignInRound['bareHash'] {
  const library = hashRate('library', hash, connections, seconds / 2);
  const product = hashRate('product', hash, connections, seconds / 2);
  return { library, product, best: Math.max(library, product) };
}

export async function benchSignIn(
  target: BenchTarget,
  users: number,
  o: SignInBenchOptions,
  log: (line: string) => void,
): Promise<SignInBenchResult> {
  log(`sign-in (${target.kind}): preparing ${signInAccounts} accounts beside ${users} users...`);
  const prepared = await prepareAccounts(target, users);
  const server = await startServer(target);
  const rounds: SignInRound[] = [];
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let loadSeconds = 0;
  let bareSum = 0;
  try {
    await signInLoad(server.url, o.connections, 2); // warm-up: JIT, pool, statement plans
    for (let k = 0; k < o.rounds; k++) {
      // The server idles while the baseline runs on its core, in a process of its own.
      const bare = bareHashRate(prepared.hash, o.connections, o.seconds);
      const run = await signInLoad(server.url, o.connections, o.seconds);
      const perSecond = run.ok / run.seconds;
      rounds.push({ bareHash: bare, signInPerSecond: perSecond, ratio: perSecond / bare.best });
      log(`sign-in round ${k + 1}: ${JSON.stringify(rounds[k])}`);
      latencies.push(...run.latencies);
      for (const [c, n] of Object.entries(run.codes)) codes[c] = (codes[c] ?? 0) + n;
      ok += run.ok;
      errors += run.errors;
      loadSeconds += run.seconds;
      bareSum += bare.best * run.seconds;
    }
  } finally {
    await server.stop();
  }
  const sorted = latencies.sort((a, b) => a - b);
  const perSecond = ok / loadSeconds;
  const bare = bareSum / loadSeconds;
  const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
  const result: SignInBenchResult = {
    target: target.kind,
    users: prepared.users,
    connections: o.connections,
    rounds,
    bareHashPerSecond: bare,
    signIn: {
      perSecond,
      requests: ok + errors,
      errors,
      errorCodes: codes,
      p50Ms: percentile(sorted, 0.5),
      p90Ms: percentile(sorted, 0.9),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted[sorted.length - 1] ?? 0,
    },
    ratio: perSecond / bare,
    medianRoundRatio: ratios[Math.floor(ratios.length / 2)] ?? 0,
    target08Met: perSecond / bare >= 0.8 && errors === 0,
  };
  log(`sign-in: ${JSON.stringify(result)}`);
  return result;
}

/** `connections` clients signing the accounts in, in turn, for `seconds`; every answer checked. */
export async function signInLoad(url: string, connections: number, seconds: number) {
  const query = `mutation($input: SignInInput!) { signIn(input: $input) { accessToken userErrors { code } } }`;
  const until = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  const codes: Record<string, number> = {};
  let ok = 0;
  let errors = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const email = emailOf(next++ % signInAccounts);
        const t0 = process.hrtime.bigint();
        let code = 'OK';
        try {
          const r = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query,
              variables: { input: { email, password, organization: benchOrgSlug } },
            }),
          });
          const body = (await r.json()) as {
            data?: { signIn?: { accessToken?: string | null; userErrors?: { code: string }[] } };
            errors?: { extensions?: { code?: string } }[];
          };
          if (!body.data?.signIn?.accessToken) {
            code =
              body.data?.signIn?.userErrors?.[0]?.code ??
              body.errors?.[0]?.extensions?.code ??
              `HTTP ${r.status}`;
          }
        } catch (err) {
          code = `network: ${(err as Error).message}`;
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (code === 'OK') ok += 1;
        else {
          errors += 1;
          codes[code] = (codes[code] ?? 0) + 1;
        }
      }
    }),
  );
  return { ok, errors, codes, latencies, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
