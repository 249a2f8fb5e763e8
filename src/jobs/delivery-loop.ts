import { setDeliveryNudge } from '../domain/notifications/delivery-nudge.js';
import type { Services } from '../domain/shared/context.js';
import { deliverDueMessages, type DeliveryCounts } from '../domain/notifications/deliver-outbox.js';
import { fanOutNotices } from '../domain/notifications/fan-out-notices.js';
import type { EmailTransport } from '../email/email-transport.js';

/**
 * Fans out pending notices (fan-out-notices.ts) and runs outbox delivery every `intervalMs` and whenever nudged, never two runs at once in this process
 * (other processes are kept apart by SKIP LOCKED). pg-boss's cron ticks only once a minute, too slow for
 * an invitation someone is waiting for; this timer keeps delivery within seconds.
 */
export class DeliveryLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A nudge during a run: run once more right after, so mail committed mid-run is not left waiting. */
  private again = false;
  private stopped = false;

  constructor(
    private readonly services: Services,
    private readonly transport: EmailTransport,
    private readonly intervalMs = 2000,
    private readonly onRun?: (counts: DeliveryCounts) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.nudge(), this.intervalMs);
    this.timer.unref();
    setDeliveryNudge(() => this.nudge());
    this.nudge();
  }

  /** Delivers now (or right after the current run). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runUntilQuiet().finally(() => {
      this.running = undefined;
    });
  }

  private async runUntilQuiet(): Promise<void> {
    do {
      this.again = false;
      try {
        // Pending notices first, a few batches at a time, so a 100k audience's fan-out interleaves with
        // delivery instead of holding up the mail of everything after it.
        const fanned = await fanOutNotices(this.services, { maxBatches: 4 }).catch((err: unknown) => {
          // Delivery goes on even when the fan-out cannot (e.g. the digest flush failed).
          this.services.logger.warn({ err }, 'notice fan-out run failed');
          return { batches: 0 };
        });
        const counts = await deliverDueMessages(this.services, this.transport);
        this.onRun?.(counts);
        // A full batch suggests more is due: go on without waiting for the timer.
        if (counts.sent + counts.failed + counts.dead >= 20 || fanned.batches >= 4) this.again = true;
      } catch (err) {
        this.services.logger.warn({ err }, 'outbox delivery run failed');
      }
    } while (this.again && !this.stopped);
  }

  /** Stops the timer and waits for the current run; a message mid-send is finished and recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    setDeliveryNudge(undefined);
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.transport.close();
  }
}
