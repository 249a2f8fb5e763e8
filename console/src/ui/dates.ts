import { useMe } from '../auth/viewer';
import { browserTimeZone, isValidTimeZone } from './time-zone';

export interface DateFormat {
  timeZone: string;
  /** '3 May 2026, 09:30' in the viewer's zone; '—' for null. */
  dateTime(iso: string | null | undefined): string;
  date(iso: string | null | undefined): string;
  /** '5 minutes ago', 'in 3 days'. */
  relative(iso: string | null | undefined): string;
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

export function dateFormat(timeZone: string, locale?: string): DateFormat {
  const dt = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  const d = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' });
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  return {
    timeZone,
    dateTime: (iso) => (iso ? dt.format(new Date(iso)) : '—'),
    date: (iso) => (iso ? d.format(new Date(iso)) : '—'),
    relative: (iso) => {
      if (!iso) return '—';
      const diff = new Date(iso).getTime() - Date.now();
      for (const [unit, ms] of units) {
        if (Math.abs(diff) >= ms) return rel.format(Math.round(diff / ms), unit);
      }
      return 'just now';
    },
  };
}

/** Dates in the viewer's time zone (their profile's, else the browser's). */
export function useDates(): DateFormat {
  const me = useMe();
  const viewer = me.data?.viewer;
  const tz = isValidTimeZone(viewer?.timeZone) ? viewer.timeZone : browserTimeZone();
  let locale: string | undefined;
  try {
    locale = viewer?.locale ? Intl.getCanonicalLocales(viewer.locale)[0] : undefined;
  } catch {
    locale = undefined;
  }
  return dateFormat(tz, locale);
}
