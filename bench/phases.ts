// A phase of a write benchmark: workers stepping one write after another (closed loop) or on a schedule
// (open loop), with the latencies, errors and rate of the phase. Shared by bench/writes.ts and
// bench/scim-writes.ts.
import { latencyStats, type LatencyStats } from './stats.js';

export interface Phase {
  requests: number;
  errors: number;
  firstError: string | null;
  requestsPerSecond: number;
  latency: LatencyStats;
}

/** One write of worker `w`, its `i`-th: null when it succeeded, else its error ('exhausted': no targets left). */
export type Step = (w: number, i: number) => Promise<string | null>;

/**
 * The samples and errors of one phase. `run` times one step from `from` (when it started, or was due) and
 * answers false once the step says its targets are exhausted.
 */
function phaseRecorder() {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  return {
    async run(step: Step, w: number, i: number, from: number): Promise<boolean> {
      let err: string | null;
      try {
        err = await step(w, i);
      } catch (e) {
        err = e instanceof Error ? e.message : String(e);
      }
      samples.push(performance.now() - from);
      if (err === 'exhausted') return false;
      if (err) {
        errors += 1;
        firstError ??= err;
      }
      return true;
    },
    result(): Phase {
      const elapsed = (performance.now() - started) / 1000;
      return {
        requests: samples.length,
        errors,
        firstError,
        requestsPerSecond: Math.round(samples.length / elapsed),
        latency: latencyStats(samples),
      };
    },
  };
}

/** Runs `workers` loops for `seconds`; each loop calls `step(worker, i)` one after another. */
export async function concurrently(workers: number, seconds: number, step: Step): Promise<Phase> {
  const phase = phaseRecorder();
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; performance.now() < end; i += 1) {
        if (!(await phase.run(step, w, i, performance.now()))) break;
      }
    }),
  );
  return phase.result();
}

/**
 * Open loop: `workers` administrators together issue `rate` writes per second, each on its own schedule
 * (worker w's k-th write is due at (k * workers + w) / rate seconds). A latency counts from when the write
 * was due, so a write held up behind a slow one is charged the wait (no coordinated omission).
 */
export async function paced(workers: number, rate: number, seconds: number, step: Step): Promise<Phase> {
  const phase = phaseRecorder();
  const started = performance.now();
  const perWorker = Math.floor((rate * seconds) / workers);
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < perWorker; i += 1) {
        const due = started + ((i * workers + w) * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (!(await phase.run(step, w, i, due))) break;
      }
    }),
  );
  return phase.result();
}
