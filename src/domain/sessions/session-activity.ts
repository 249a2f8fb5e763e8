import type { Services } from '../shared/context.js';

/** Activity is written at most this often per session. */
export const activityWriteIntervalMs = 5 * 60_000;

/**
 * Records that a session was used (sessions.last_seen_at, users.last_active_at) at most once per five
 * minutes per session. The throttle is an in-memory Map; the write runs after the request has been let
 * through and never delays or fails it.
 */
export class SessionActivity {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly services: Services,
    private readonly maxEntries = 100_000,
  ) {}

  /** Cheap enough for every request: one Map lookup unless a write is due. Says whether one was scheduled. */
  note(sessionId: string, userId: string, orgId: string): boolean {
    const now = this.services.clock.now();
    const t = now.getTime();
    const last = this.lastWrite.get(sessionId);
    if (last !== undefined && t - last < activityWriteIntervalMs) return false;
    if (this.lastWrite.size >= this.maxEntries) this.prune(t);
    this.lastWrite.set(sessionId, t);
    setImmediate(() => {
      this.write(sessionId, userId, orgId, now).catch((err: unknown) =>
        this.services.logger.warn({ err }, 'could not record session activity'),
      );
    });
    return true;
  }

  /** A sign-in or refresh has just written the activity itself: the next write is due in five minutes. */
  written(sessionId: string): void {
    this.lastWrite.set(sessionId, this.services.clock.now().getTime());
  }

  /** Resolves when pending writes have run (tests and benchmarks). */
  async write(sessionId: string, userId: string, orgId: string, now: Date): Promise<void> {
    const { db } = this.services;
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id', '=', sessionId)
      .where('org_id', '=', orgId)
      .where('last_seen_at', '<', now)
      .execute();
    await db
      .updateTable('users')
      .set({ last_active_at: now })
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('last_active_at', 'is', null), eb('last_active_at', '<', now)]))
      .execute();
  }

  private prune(now: number): void {
    for (const [id, t] of this.lastWrite) if (now - t >= activityWriteIntervalMs) this.lastWrite.delete(id);
    // Still full: drop the oldest half rather than grow without bound.
    if (this.lastWrite.size >= this.maxEntries) {
      let n = this.lastWrite.size / 2;
      for (const id of this.lastWrite.keys()) {
        if (n-- <= 0) break;
        this.lastWrite.delete(id);
      }
    }
  }
}
