import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../shared/clock.js';

export const revocationChannel = 'roster_sessions_revoked';

/**
 * The set of revoked session ids whose access tokens may still be unexpired, held in memory so that every
 * request checks revocation in well under a microsecond. It is filled from three sources: the commit of a
 * revocation in this process (at once), PostgreSQL NOTIFY from other instances (within a second), and a
 * periodic reconciliation query (if a notification was missed while the listener reconnected).
 */
export class RevocationRegistry {
  private readonly revoked = new Map<string, number>();
  private stopListening: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSync = 0;

  constructor(
    private readonly clock: Clock,
    /** How long a revoked id must be remembered: the longest life of an access token, plus margin. */
    private readonly retentionMs: number,
  ) {}

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  add(sessionIds: Iterable<string>): void {
    const until = this.clock.now().getTime() + this.retentionMs;
    for (const id of sessionIds) this.revoked.set(id, until);
  }

  get size(): number {
    return this.revoked.size;
  }

  private prune(): void {
    const now = this.clock.now().getTime();
    for (const [id, until] of this.revoked) if (until < now) this.revoked.delete(id);
  }

  /** Loads what was revoked recently, then follows notifications and reconciles every `syncMs`. */
  async start(database: Database, syncMs = 5000): Promise<void> {
    await this.sync(database.db, this.clock.now().getTime() - this.retentionMs);
    this.stopListening = await database.listen(revocationChannel, (payload) => {
      this.add(payload.split(',').filter((s) => s.length > 0));
    });
    this.timer = setInterval(() => {
      this.prune();
      void this.sync(database.db, this.lastSync - 2000).catch(() => undefined);
    }, syncMs);
    this.timer.unref();
  }

  private async sync(db: Kysely<DB>, sinceMs: number): Promise<void> {
    const startedAt = this.clock.now().getTime();
    const rows = await db
      .selectFrom('sessions')
      .select('id')
      .where('revoked_at', '>', new Date(sinceMs))
      .execute();
    this.add(rows.map((r) => r.id));
    this.lastSync = startedAt;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.stopListening?.();
  }
}
