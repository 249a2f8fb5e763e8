// Cost of the per-request token check (verify + revocation), measured in-process by timing `authenticate()`
// directly — not through HTTP — with process.hrtime.bigint() around each call. Compared in the same run
// with the hook's cost for a request without a token (the floor) and with one bare jose jwtVerify (what
// every request would pay without the verification cache). Run alone: node --import tsx bench/token-check.ts
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { SignJWT, decodeJwt, importJWK, jwtVerify, type JWK } from 'jose';
import { pino } from 'pino';
import { authenticate } from '../src/api/http/authenticate.js';
import { loadConfig } from '../src/config.js';
import { hashPassword } from '../src/domain/security/password-hash.js';
import { accessTokenAudience, accessTokenType } from '../src/domain/sessions/access-token.js';
import { sessionServices } from '../src/domain/sessions/session-services.js';
import { signInWithPassword } from '../src/domain/sessions/sign-in.js';
import { normalizeEmail } from '../src/domain/users/user-record.js';
import { createRuntime } from '../src/runtime.js';

interface Stats {
  iterations: number;
  p50Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
}

function stats(samples: BigInt64Array | bigint[]): Stats {
  const ns = Array.from(samples, Number).sort((a, b) => a - b);
  const at = (q: number) => ns[Math.min(ns.length - 1, Math.floor(q * ns.length))]! / 1000;
  const mean = ns.reduce((s, v) => s + v, 0) / ns.length / 1000;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    iterations: ns.length,
    p50Us: round(at(0.5)),
    p99Us: round(at(0.99)),
    meanUs: round(mean),
    maxUs: round(at(1)),
  };
}

async function measure(iterations: number, warmup: number, fn: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = new BigInt64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples[i] = process.hrtime.bigint() - t0;
  }
  return stats(samples);
}

export async function benchTokenCheck(
  options: { iterations?: number; joseIterations?: number; firstIterations?: number } = {},
): Promise<object> {
  const iterations = options.iterations ?? 100_000;
  const joseIterations = options.joseIterations ?? 10_000;
  const firstIterations = options.firstIterations ?? 2_000;
  // An in-memory embedded database (or DATABASE_URL when set) and a throwaway secret: nothing is written to disk.
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ROSTER_DATA_DIR: process.env.DATABASE_URL ? (process.env.ROSTER_DATA_DIR ?? './data') : 'memory',
    ROSTER_SECRET_KEY: randomBytes(32).toString('base64url'),
  });
  const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
  try {
    const { services } = runtime;
    const org = await services.db
      .insertInto('organizations')
      .values({ name: 'Bench', slug: `bench-${randomBytes(4).toString('hex')}` })
      .returningAll()
      .executeTakeFirstOrThrow();
    const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
    const password = 'benchmark password of decent length';
    await services.db
      .insertInto('users')
      .values({
        org_id: org.id,
        email,
        email_normalized: normalizeEmail(email),
        role: 'viewer',
        status: 'active',
        password_hash: await hashPassword(password),
      })
      .execute();
    const signedIn = await signInWithPassword(
      services,
      { ip: '127.0.0.1' },
      {
        email,
        password,
        organization: org.slug,
      },
    );
    if ('mfaChallenge' in signedIn) throw new Error('the benchmark user has no second factor');
    const header = `Bearer ${signedIn.accessToken}`;
    const first = await authenticate(services, header);
    if (!first.actor) throw new Error('the benchmark token does not authenticate');

    const keyRow = await services.db
      .selectFrom('signing_keys')
      .select('public_jwk')
      .executeTakeFirstOrThrow();
    const publicKey = await importJWK(keyRow.public_jwk as JWK, 'EdDSA');
    const verifyOptions = {
      algorithms: ['EdDSA'],
      issuer: config.publicUrl,
      audience: accessTokenAudience,
      typ: accessTokenType,
    };

    const noHeader = await measure(iterations, 10_000, () => authenticate(services, undefined));
    const cachedToken = await measure(iterations, 10_000, () => authenticate(services, header));
    const bareJose = await measure(joseIterations, 500, () =>
      jwtVerify(signedIn.accessToken, publicKey, verifyOptions),
    );
    // A token's first check (signature, claims, and since issue 10 the lookup of its session): distinct
    // tokens of the same session, signed with the real key, each seen once.
    const { key, kid } = await sessionServices(services).keys.signingKey();
    const claims = decodeJwt(signedIn.accessToken);
    const fresh: string[] = [];
    for (let i = 0; i < firstIterations + 200; i++) {
      fresh.push(
        await new SignJWT({ ...claims, jti: `bench-${i}` })
          .setProtectedHeader({ alg: 'EdDSA', typ: accessTokenType, kid })
          .sign(key),
      );
    }
    let next = 0;
    const firstCheck = await measure(firstIterations, 200, async () => {
      const r = await authenticate(services, `Bearer ${fresh[next++]!}`);
      if (!r.actor) throw new Error('a fresh benchmark token does not authenticate');
    });
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      name: 'token-check',
      method:
        'in-process: authenticate() timed per call with process.hrtime.bigint() (timer overhead included, ~0.1 us); no HTTP',
      environment: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        database: runtime.database.kind,
      },
      results: {
        noHeader,
        cachedToken,
        firstCheck,
        bareJoseJwtVerify: bareJose,
      },
      ratios: {
        cachedTokenP50VsNoHeaderP50: ratio(cachedToken.p50Us, noHeader.p50Us),
        bareJoseP50VsCachedTokenP50: ratio(bareJose.p50Us, cachedToken.p50Us),
      },
      target: { p50Us: 20, p99Us: 250 },
      meetsTarget: cachedToken.p50Us <= 20 && cachedToken.p99Us <= 250,
    };
  } finally {
    await runtime.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchTokenCheck();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
