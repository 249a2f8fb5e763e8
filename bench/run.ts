// `npm run bench`: the user list over 1M users on PostgreSQL and 100k on the embedded database, plus the
// per-request token check; prints the environment and writes bench/results/<timestamp>.json. Not a test:
// never run in CI, never gates on absolute times (performance.md). Sizes and durations via environment:
//   BENCH_DATABASE_URL   PostgreSQL (default postgres://postgres@127.0.0.1:5432/test), data in schema `bench`
//   BENCH_USERS_PG       users on PostgreSQL (default 1000000; 0 skips PostgreSQL)
//   BENCH_USERS_PGLITE   users on the embedded database (default 100000; 0 skips it)
//   BENCH_PGLITE_DIR     its folder (default <tmp>/roster-bench-pglite, reused across runs)
//   BENCH_DURATION       seconds per autocannon run (default 10); BENCH_BASELINE_SECONDS (default 5)
//   BENCH_RATE           fixed rate of the latency runs (default 200 req/s); BENCH_CONNECTIONS (default 16)
//   BENCH_TOKEN_CHECK    0 skips the token-check benchmark
//   BENCH_ONLY           parts to run, comma-separated: users, departments, token, writes, memory
//                        (default: all)
//                        The departments part (issue 3) adds 5,000 departments to the same
//                        users. The writes part (issue 10): suspend/reactivate and revoke sessions by 10
//                        concurrent administrators on PostgreSQL (bench/writes.ts).
//   BENCH_WRITES_SECONDS seconds of each writes phase (default 15); BENCH_WRITES_CONCURRENCY (default 10);
//                        BENCH_WRITES_RATE writes/s of all administrators together in the paced phases (100)
//   BENCH_DEPARTMENTS_PARTS  of the departments part: listing, authz, cost (default: all three)
//   signin part (issue 10): BENCH_SIGNIN_SECONDS per round (default 10), BENCH_SIGNIN_ROUNDS
//                        (default 3), BENCH_SIGNIN_CONNECTIONS (default 10);
//                        PostgreSQL only; not in the default parts (run it with BENCH_ONLY=signin)
//   memory part (issue 11): resident memory of a real `roster serve` for a small organisation, on the
//                        embedded database (first start and restart) and on PostgreSQL (a database
//                        `roster_bench_memory` of its own on BENCH_DATABASE_URL's server) in the same run;
//                        read every second for BENCH_MEMORY_IDLE_SECONDS (default 120) of idle: 10 s after
//                        the first requests and settled; BENCH_MEMORY_BASELINE=<another checkout> adds that
//                        checkout's embedded readings to the same run (bench/memory.ts)
//   factors part (issue 12): TOTP and WebAuthn verification cost per call against the bare library calls,
//                        in this process on PostgreSQL (bench/factors.ts); BENCH_FACTORS_CALLS (default 2000);
//                        not in the default parts (run it with BENCH_ONLY=factors)
//   scim part (issue 13): SCIM look-ups (userName eq, externalId eq) and a broad 100-user page over HTTP
//                        with a SCIM token on PostgreSQL, interleaved with the same domain call and the bare
//                        SQL in this process (bench/scim.ts); BENCH_SCIM_SECONDS per scenario (default 10);
//                        not in the default parts (run it with BENCH_ONLY=scim)
//   scimwrites part (issue 13): POST and PATCH /Users from 10 clients over HTTP against the same domain
//                        commands in process, and a 10,000-member group PATCH (bench/scim-writes.ts);
//                        BENCH_SCIM_SECONDS per phase; not in the default parts (BENCH_ONLY=scimwrites)
//   BENCH_PROFILE_DIR    the HTTP server writes a V8 CPU profile (.cpuprofile) there when it stops
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBenchSchema, pgliteTarget, postgresTarget } from './dataset.js';
import {
  benchDepartments,
  departmentsParts,
  type DepartmentsPart,
  type DepartmentsResult,
} from './departments.js';
import { environment } from './environment.js';
import { benchFactors, type FactorsResult } from './factors.js';
import { benchMemory, type MemoryResult } from './memory.js';
import { benchScim, type ScimBenchResult } from './scim.js';
import { benchScimWrites, type ScimWritesResult } from './scim-writes.js';
import { benchSignIn, type SignInBenchResult } from './sign-in.js';
import { benchUsersList, type BenchOptions, type TargetResult } from './users-list.js';
import { benchWrites, type WritesResult } from './writes.js';

const env = process.env;
const num = (name: string, fallback: number) => {
  const v = env[name];
  const n = v === undefined || v === '' ? fallback : Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
};
const log = (line: string) => process.stdout.write(`${line}\n`);
const parts = new Set(
  (env.BENCH_ONLY ?? 'users,departments,token,writes,memory').split(',').map((p) => p.trim()),
);
for (const p of parts) {
  if (
    ![
      'users',
      'departments',
      'token',
      'writes',
      'signin',
      'factors',
      'scim',
      'scimwrites',
      'memory',
    ].includes(p)
  )
    throw new Error(`BENCH_ONLY: unknown part "${p}"`);
}
const deptParts = new Set(
  (env.BENCH_DEPARTMENTS_PARTS ?? departmentsParts.join(',')).split(',').map((p) => p.trim()),
) as Set<DepartmentsPart>;
for (const p of deptParts) {
  if (!departmentsParts.includes(p)) throw new Error(`BENCH_DEPARTMENTS_PARTS: unknown part "${p}"`);
}

const pgUrl = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const usersPg = num('BENCH_USERS_PG', 1_000_000);
const usersPglite = num('BENCH_USERS_PGLITE', 100_000);
const pgliteDir = env.BENCH_PGLITE_DIR ?? join(tmpdir(), 'roster-bench-pglite');
const options: BenchOptions = {
  duration: num('BENCH_DURATION', 10),
  baselineSeconds: num('BENCH_BASELINE_SECONDS', 5),
  rate: num('BENCH_RATE', 200),
  connections: num('BENCH_CONNECTIONS', 16),
};

// The load generator and baselines run on core 1, the API server on core 0 (PostgreSQL floats).
let pinning = 'none (taskset not found)';
if (existsSync('/usr/bin/taskset')) {
  execFileSync('/usr/bin/taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  pinning = 'server on core 0, load generator and baselines on core 1, database unpinned';
}

const started = new Date();
const environmentInfo = await environment(usersPg > 0 ? pgUrl : null, pinning);
log(`environment: ${JSON.stringify(environmentInfo, null, 2)}`);
log(
  `options: ${JSON.stringify({ parts: [...parts], departmentsParts: [...deptParts], usersPg, usersPglite, pgliteDir, ...options })}`,
);

const targets: TargetResult[] = [];
const departments: DepartmentsResult[] = [];
const writes: WritesResult[] = [];
const signIn: SignInBenchResult[] = [];
const scim: ScimBenchResult[] = [];
const scimWrites: ScimWritesResult[] = [];
const factors: FactorsResult[] = [];
if (usersPg > 0) {
  await createBenchSchema(pgUrl);
  if (parts.has('signin')) {
    const signInOptions = {
      seconds: num('BENCH_SIGNIN_SECONDS', 10),
      connections: num('BENCH_SIGNIN_CONNECTIONS', 10),
      rounds: num('BENCH_SIGNIN_ROUNDS', 3),
    };
    signIn.push(await benchSignIn(postgresTarget(pgUrl), usersPg, signInOptions, log));
  }
  if (parts.has('factors')) {
    factors.push(await benchFactors(postgresTarget(pgUrl), usersPg, num('BENCH_FACTORS_CALLS', 2000), log));
  }
  if (parts.has('scim'))
    scim.push(await benchScim(postgresTarget(pgUrl), usersPg, num('BENCH_SCIM_SECONDS', 10), log));
  if (parts.has('scimwrites')) {
    const seconds = num('BENCH_SCIM_SECONDS', 10);
    scimWrites.push(await benchScimWrites(postgresTarget(pgUrl), usersPg, seconds, 10, log));
  }
  if (parts.has('users')) targets.push(await benchUsersList(postgresTarget(pgUrl), usersPg, options, log));
  if (parts.has('departments')) {
    departments.push(await benchDepartments(postgresTarget(pgUrl), usersPg, options, log, deptParts));
  }
  if (parts.has('writes')) {
    const o = {
      duration: num('BENCH_WRITES_SECONDS', 15),
      concurrency: num('BENCH_WRITES_CONCURRENCY', 10),
      rate: num('BENCH_WRITES_RATE', 100),
    };
    writes.push(await benchWrites(postgresTarget(pgUrl), usersPg, o, log));
  }
}
if (usersPglite > 0) {
  mkdirSync(pgliteDir, { recursive: true });
  if (parts.has('users'))
    targets.push(await benchUsersList(pgliteTarget(pgliteDir), usersPglite, options, log));
  if (parts.has('departments')) {
    departments.push(await benchDepartments(pgliteTarget(pgliteDir), usersPglite, options, log, deptParts));
  }
}

let memory: MemoryResult | { skipped: string } = { skipped: 'BENCH_ONLY' };
if (parts.has('memory')) {
  memory = await benchMemory(
    usersPg > 0 ? pgUrl : null,
    num('BENCH_MEMORY_IDLE_SECONDS', 120),
    log,
    env.BENCH_MEMORY_BASELINE || undefined,
  );
}

let tokenCheck: unknown = null;
const tokenCheckFile = join(import.meta.dirname, 'token-check.ts');
if (!parts.has('token')) tokenCheck = { skipped: 'BENCH_ONLY' };
else if (env.BENCH_TOKEN_CHECK === '0') tokenCheck = { skipped: 'BENCH_TOKEN_CHECK=0' };
else if (!existsSync(tokenCheckFile)) {
  log('token check: bench/token-check.ts is not there yet; skipped');
  tokenCheck = { skipped: 'bench/token-check.ts missing' };
} else {
  log('token check: running benchTokenCheck()...');
  const mod = (await import(pathToFileURL(tokenCheckFile).href)) as {
    benchTokenCheck: () => Promise<unknown>;
  };
  tokenCheck = await mod.benchTokenCheck();
  log(`token check: ${JSON.stringify(tokenCheck)}`);
}

const result = {
  benchmark: parts.has('users') ? 'roster users list' : `roster ${[...parts].join(', ')}`,
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  environment: environmentInfo,
  options: { parts: [...parts], departmentsParts: [...deptParts], usersPg, usersPglite, ...options },
  targets: { performance: { listFilterP99Ms: 50, searchP99Ms: 25, searchPgliteP99Ms: 40 }, results: targets },
  departments: {
    performance: { subtreeListingP99Ms: 50, scopedCheckAddsMs: 1, costReportWholeOrgMs: 500 },
    results: departments,
  },
  tokenCheck,
  writes: {
    performance: { suspendRevokeP99Ms: 30, errors: 0, costGrowsWithAdministrators: false },
    results: writes,
  },
  signIn: { performance: { ratioToBareHash: 0.8, errors: 0 }, results: signIn },
  scim: { performance: { lookupP99Ms: 20, broadPageP99Ms: 100 }, results: scim },
  scimWrites: {
    performance: { writesPerSecond: 200, p99Ms: 100, tenThousandMemberPatchMs: 2000 },
    results: scimWrites,
  },
  factors: { performance: { reported: 'cost per call and ratio to the bare library' }, results: factors },
  memory: { performance: { idleMiBEmbedded: 250 }, results: memory },
};
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
const file = join(import.meta.dirname, 'results', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
log(`wrote ${file}`);
// pg pools and the token check's runtime are closed; exit even if a stray handle remains.
process.exit(0);
