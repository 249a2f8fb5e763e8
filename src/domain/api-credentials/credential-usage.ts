import type { Services } from '../shared/context.js';

/** A credential's last use is written at most this often. */
export const usageWriteIntervalMs = 60_000;

/**
 * Records the last use (time and address) of SCIM and personal tokens at most once a minute per token:
 * an in-memory throttle, the UPDATE runs after the request was let through and never fails it (like
 * session activity). Lost on restart at most one minute of "last used".
 */
export class CredentialUsage {
  private readonly lastWrite = new Map<string, number>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: Services,
    private readonly maxEntries = 50_000,
  ) {}

  note(table: 'scim_tokens' | 'personal_api_tokens', id: string, ip: string | undefined): boolean {
    const now = this.services.clock.now();
    const last = this.lastWrite.get(id);
    if (last !== undefined && now.getTime() - last < usageWriteIntervalMs) return false;
    if (this.lastWrite.size >= this.maxEntries) this.lastWrite.clear();
    this.lastWrite.set(id, now.getTime());
    this.pending = this.pending
      .then(() =>
        this.services.db
          .updateTable(table)
          .set({ last_used_at: now, last_used_ip: ip?.slice(0, 64) ?? null })
          .where('id', '=', id)
          .execute(),
      )
      .then(
        () => undefined,
        (err: unknown) => this.services.logger.warn({ err }, 'could not record credential use'),
      );
    return true;
  }

  /** Resolves when the writes scheduled so far have run (tests). */
  settled(): Promise<void> {
    return this.pending;
  }
}
