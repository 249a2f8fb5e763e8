// The HTTP side of the benchmarks: a Roster server in a child process, sign-in, autocannon runs, and a
// one-request-at-a-time timer with microsecond resolution (autocannon's percentiles are whole milliseconds).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { benchOrgSlug, benchSecretKey, type BenchTarget } from './dataset.js';

export interface ServerHandle {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts bench/server.ts in a child process, on core 0 when taskset exists (this process runs on core 1). */
export async function startServer(target: BenchTarget): Promise<ServerHandle> {
  // BENCH_PROFILE_DIR: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const node = [process.execPath, ...profile, '--import', 'tsx', 'bench/server.ts'];
  const pinned = existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', '0', ...node] : node;
  const child = spawn(pinned[0] as string, pinned.slice(1), {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ROSTER_SECRET_KEY: benchSecretKey,
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      ...target.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    url: `${url}/graphql`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface GraphQLResponse {
  data?: unknown;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

export async function post(url: string, body: object, token?: string): Promise<GraphQLResponse> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return (await r.json()) as GraphQLResponse;
}

/** Signs a user of the bench organisation in through the signIn mutation; returns the access token. */
export async function signIn(url: string, who: { email: string; password: string }): Promise<string> {
  const r = await post(url, {
    query: `mutation($input: SignInInput!) { signIn(input: $input) { accessToken userErrors { code } } }`,
    variables: { input: { email: who.email, password: who.password, organization: benchOrgSlug } },
  });
  const token = (r.data as { signIn?: { accessToken?: string } } | undefined)?.signIn?.accessToken;
  if (!token) throw new Error(`bench sign-in of ${who.email} failed: ${JSON.stringify(r)}`);
  return token;
}

export interface HttpStats {
  connections: number;
  rate: number | null;
  /** autocannon's percentiles have 1 ms resolution; the mean does not. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requestsPerSecond: number;
  errors: number;
}

export interface HttpRuns {
  sequential: HttpStats;
  atRate: HttpStats;
  saturated: HttpStats;
}

/**
 * The three runs of a scenario: one request at a time, at the fixed rate, saturated (after a 2 s
 * warm-up). The fixed rate uses two connections: autocannon paces each connection on its own timer, so with
 * many connections a fixed rate arrives in bursts of `connections` requests at once.
 */
export async function httpRuns(
  url: string,
  token: string,
  body: string,
  o: { duration: number; rate: number; connections: number },
): Promise<HttpRuns> {
  await load(url, token, body, o.connections, 2);
  const sequential = await load(url, token, body, 1, o.duration);
  const atRate = await load(url, token, body, 2, o.duration, o.rate);
  const saturated = await load(url, token, body, o.connections, o.duration);
  return { sequential, atRate, saturated };
}

/** One autocannon run of the same POST body (a GET when null); with `rate`, at that overall request rate. */
export async function load(
  url: string,
  token: string,
  body: string | null,
  connections: number,
  seconds: number,
  rate?: number,
): Promise<HttpStats> {
  const r = await autocannon({
    url,
    ...(body === null
      ? { method: 'GET', headers: { authorization: `Bearer ${token}` } }
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
        }),
    connections,
    duration: seconds,
    // Slow scenarios (a report, a plan that misses) are measured, not dropped as timeouts.
    timeout: 120,
    ...(rate ? { overallRate: rate } : {}),
  });
  return {
    connections,
    rate: rate ?? null,
    meanMs: Math.round(r.latency.average * 100) / 100,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    requestsPerSecond: Math.round(r.requests.total / r.duration),
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

/** One timed request; throws when the response carries GraphQL errors (a refused request is not a sample). */
export async function timedPost(url: string, token: string, body: string): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
  const text = await r.text();
  const ms = performance.now() - t0;
  const json = JSON.parse(text) as GraphQLResponse;
  // A mutation's refusal is in its payload's userErrors, not in `errors`.
  if (json.errors?.length || text.includes('"userErrors":[{')) throw new Error(`request failed: ${text}`);
  return ms;
}
