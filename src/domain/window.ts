import { TZDate } from '@date-fns/tz';
import { addWeeks, format, startOfISOWeek } from 'date-fns';

/** Default rolling window length in ISO weeks. */
export const DEFAULT_WINDOW_WEEKS = 13;

export interface Window {
  start: Date;
  end: Date;
}

/** Monday 00:00 in `timezone` of the ISO week holding `t`. */
export function weekStart(t: Date, timezone: string): Date {
  return new Date(startOfISOWeek(new TZDate(t.getTime(), timezone)).getTime());
}

/**
 * The rolling window at `t`: from Monday 00:00 (engagement time zone) of the ISO week
 * `weeks − 1` weeks before t's week, up to and including `t`.
 */
export function rollingWindow(t: Date, timezone: string, weeks = DEFAULT_WINDOW_WEEKS): Window {
  const monday = startOfISOWeek(new TZDate(t.getTime(), timezone));
  return { start: new Date(addWeeks(monday, -(weeks - 1)).getTime()), end: t };
}

/** The key of the ISO week holding `t` in `timezone`: its Monday as `yyyy-MM-dd`. */
export function weekKey(t: Date, timezone: string): string {
  return format(startOfISOWeek(new TZDate(t.getTime(), timezone)), 'yyyy-MM-dd');
}

/** The ISO-8601 text of an instant as seen in `timezone`, with its offset. */
export function localIso(t: Date, timezone: string): string {
  return format(new TZDate(t.getTime(), timezone), "yyyy-MM-dd'T'HH:mm:ssXXX");
}
