// Latency statistics for the in-process baselines, in the shape autocannon reports (milliseconds).

export interface LatencyStats {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export function latencyStats(ms: number[]): LatencyStats {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    samples: sorted.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted.at(-1) ?? 0),
    meanMs: round(sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length)),
  };
}

/** Calls `fn` one after another for `seconds` (after `warmup` calls) and times each call. */
export async function sequential(
  seconds: number,
  fn: () => Promise<unknown>,
  warmup = 20,
): Promise<LatencyStats> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return latencyStats(samples);
}

/** Keeps `concurrency` calls in flight for `seconds`; returns completed calls per second. */
export async function throughput(
  seconds: number,
  concurrency: number,
  fn: () => Promise<unknown>,
): Promise<number> {
  let done = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await fn();
        done += 1;
      }
    }),
  );
  return Math.round((done / (performance.now() - started)) * 1000);
}

export const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);

/**
 * Compares arms one call at a time, INTERLEAVED (a, b, c, a, b, c, ...) for `seconds`, so machine noise
 * falls on every arm alike. Each arm is a cycle of calls made in turn (e.g. suspend, then reactivate);
 * rounds stop on a whole cycle. Returns each arm's latency.
 */
export async function interleaved(
  arms: { name: string; calls: (() => Promise<unknown>)[] }[],
  seconds: number,
  warmupRounds = 40,
): Promise<Record<string, LatencyStats>> {
  const samples = arms.map(() => [] as number[]);
  const cycle = Math.max(...arms.map((a) => a.calls.length));
  const step = async (round: number, record: boolean) => {
    for (const [i, arm] of arms.entries()) {
      const call = arm.calls[round % arm.calls.length] as () => Promise<unknown>;
      const t0 = performance.now();
      await call();
      if (record) samples[i]?.push(performance.now() - t0);
    }
  };
  let round = 0;
  const warm = Math.ceil(warmupRounds / cycle) * cycle;
  for (; round < warm; round++) await step(round, false);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || round % cycle !== 0) await step(round++, true);
  return Object.fromEntries(arms.map((a, i) => [a.name, latencyStats(samples[i] ?? [])]));
}

export interface MicroStats {
  calls: number;
  /** Per call, from batches of `batch` calls timed together (a single call is below the timer's grain). */
  p50Ns: number;
  p99Ns: number;
  meanNs: number;
}

/** Times a synchronous function in batches for `seconds`. */
export function micro(fn: () => unknown, seconds = 1, batch = 100): MicroStats {
  for (let i = 0; i < 10_000; i++) fn();
  const perCall: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    perCall.push(Number(process.hrtime.bigint() - t0) / batch);
  }
  const s = latencyStats(perCall);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    calls: perCall.length * batch,
    p50Ns: round(s.p50Ms),
    p99Ns: round(s.p99Ms),
    meanNs: round(s.meanMs),
  };
}
