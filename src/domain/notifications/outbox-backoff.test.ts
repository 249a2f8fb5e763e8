import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './outbox-backoff.js';

describe('retryDelayMs', () => {
  it('doubles from 30 s and stops at an hour', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((a) => retryDelayMs(a, none))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });

  it('adds at most 10 % jitter, never less than the base delay', () => {
    expect(retryDelayMs(1, () => 0.999)).toBe(32_997);
    expect(retryDelayMs(8, () => 1)).toBe(3_960_000);
  });
});
