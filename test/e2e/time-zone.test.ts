import { describe, expect, it } from 'vitest';
import { instantToZonedInput, isValidTimeZone, zonedToInstant } from '../../console/src/ui/time-zone.js';

/** The console turns dates typed in the viewer's time zone into instants for the API filters. */
describe('console time zones', () => {
  it('reads a wall-clock time in a named zone, across daylight saving time', () => {
    expect(zonedToInstant('2026-01-15T09:30', 'Europe/London')?.toISOString()).toBe(
      '2026-01-15T09:30:00.000Z',
    );
    expect(zonedToInstant('2026-07-15T09:30', 'Europe/London')?.toISOString()).toBe(
      '2026-07-15T08:30:00.000Z',
    );
    expect(zonedToInstant('2026-07-15', 'America/New_York')?.toISOString()).toBe('2026-07-15T04:00:00.000Z');
    expect(zonedToInstant('2026-03-29', 'Asia/Kolkata')?.toISOString()).toBe('2026-03-28T18:30:00.000Z');
    expect(zonedToInstant('15/07/2026', 'UTC')).toBeNull();
    // 02:30 does not exist on 29 March 2026 in Berlin (clocks go from 02:00 to 03:00): 03:30 CEST.
    expect(zonedToInstant('2026-03-29T02:30', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    // 02:30 happens twice on 25 October 2026: the earlier, still in summer time.
    expect(zonedToInstant('2026-10-25T02:30', 'Europe/Berlin')?.toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('shows an instant as a datetime-local value in the zone, the inverse of reading it', () => {
    const instant = new Date('2026-10-25T00:30:00Z');
    expect(instantToZonedInput(instant, 'Europe/Berlin')).toBe('2026-10-25T02:30');
    expect(zonedToInstant(instantToZonedInput(instant, 'Europe/Berlin'), 'Europe/Berlin')?.getTime()).toBe(
      instant.getTime(),
    );
  });

  it('knows a real zone from a made-up one', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone(null)).toBe(false);
  });
});
