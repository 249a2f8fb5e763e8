/** Attempts (sends tried) after which a message is given up: status 'dead'. */
export const maxDeliveryAttempts = 8;

const baseDelayMs = 30_000;
const maxDelayMs = 60 * 60_000;

/**
 * How long to wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, 4 min… capped at 1 h, plus up to
 * 10 % jitter so messages that failed together (a server outage) do not all come back in the same second.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 20));
  const delay = Math.min(baseDelayMs * 2 ** exponent, maxDelayMs);
  return Math.round(delay * (1 + 0.1 * random()));
}
