import { TZDate } from '@date-fns/tz';

/**
 * The instant at which the calendar date `isoDate` shows the clock time `hhmm` in `timezone`.
 * A time that does not exist (clocks jump forward) moves forward by the jump; an ambiguous
 * one (clocks fall back) takes the earlier instant.
 */
export function localInstant(isoDate: string, hhmm: string, timezone: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  return new Date(new TZDate(y, m - 1, d, hh, mm, timezone).getTime());
}
