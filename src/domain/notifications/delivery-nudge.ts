/**
 * A hook to this process's outbox delivery loop (src/jobs/delivery-loop.ts registers it), so a command
 * that just committed mail can have it delivered at once instead of on the next tick.
 */
let nudge: (() => void) | undefined;

export function setDeliveryNudge(fn: (() => void) | undefined): void {
  nudge = fn;
}

/**
 * Asks this process's worker to deliver now; call it after a commit that queued mail (in
 * `scope.onCommit`). Optional: without it mail leaves within the loop interval (2 s). A no-op in a
 * process that runs no worker (ROSTER_ROLE=api): the worker process finds the mail on its next tick.
 */
export function nudgeDelivery(): void {
  nudge?.();
}
