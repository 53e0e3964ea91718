import { TZDate } from '@date-fns/tz';
import {
  addDays,
  differenceInCalendarMonths,
  differenceInCalendarWeeks,
  format,
  getDate,
  getDay,
  getDaysInMonth,
  parse,
} from 'date-fns';

export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * When an engagement's pulses occur. Weekly cadences fall on `on` (default: startsOn's
 * weekday) every `every` weeks; monthly ones on `day` of the month (clamped to the month's
 * last day) or else on the `nth` `on`-weekday (default: the one startsOn is).
 */
export interface Cadence {
  unit: 'week' | 'month';
  every: number;
  on?: Weekday | null | undefined;
  day?: number | null | undefined;
  nth?: number | 'last' | null | undefined;
  /** Local time of day, `HH:mm`. */
  at: string;
  /** First calendar date, `yyyy-MM-dd`. */
  startsOn: string;
}

/** A calendar date as a Date at UTC midnight, so arithmetic never meets a DST change. */
export function calendarDate(isoDate: string): TZDate {
  return parse(isoDate, 'yyyy-MM-dd', new TZDate(0, 'UTC'));
}

export function formatDate(d: Date): string {
  return format(d, 'yyyy-MM-dd');
}

/** The calendar date `t` falls on in `timezone`. */
export function dateIn(t: Date, timezone: string): string {
  return format(new TZDate(t.getTime(), timezone), 'yyyy-MM-dd');
}

function weekdayOf(d: Date): Weekday {
  return WEEKDAYS[getDay(d)] as Weekday;
}

function nthOfMonth(d: Date): number {
  return Math.ceil(getDate(d) / 7);
}

function isLastOfMonth(d: Date): boolean {
  return getDate(d) + 7 > getDaysInMonth(d);
}

/** Whether a pulse of this cadence occurs on the calendar date `isoDate`. */
export function occursOn(cadence: Cadence, isoDate: string): boolean {
  const start = calendarDate(cadence.startsOn);
  const d = calendarDate(isoDate);
  if (d < start) return false;
  const weekday = cadence.on ?? weekdayOf(start);
  if (cadence.unit === 'week') {
    return (
      weekdayOf(d) === weekday &&
      differenceInCalendarWeeks(d, start, { weekStartsOn: 1 }) % cadence.every === 0
    );
  }
  if (differenceInCalendarMonths(d, start) % cadence.every !== 0) return false;
  // Stored cadences carry null for fields the file left out.
  if (cadence.day != null) {
    return getDate(d) === Math.min(cadence.day, getDaysInMonth(d));
  }
  if (weekdayOf(d) !== weekday) return false;
  const nth = cadence.nth ?? nthOfMonth(start);
  return nth === 'last' ? isLastOfMonth(d) : nthOfMonth(d) === nth;
}

/**
 * The occurrence dates from `fromDate` (inclusive), at most `count` of them, and none after
 * `untilDate` when given.
 */
export function nextOccurrences(
  cadence: Cadence,
  fromDate: string,
  count: number,
  untilDate?: string,
): string[] {
  const dates: string[] = [];
  let d = calendarDate(fromDate);
  const start = calendarDate(cadence.startsOn);
  if (d < start) d = start;
  // Any cadence here repeats within 12 × every months; 400 × every days bounds the search.
  const searched = addDays(d, 400 * cadence.every);
  const until = untilDate === undefined ? undefined : calendarDate(untilDate);
  const limit = until !== undefined && until < searched ? until : searched;
  while (dates.length < count && d <= limit) {
    const iso = formatDate(d);
    if (occursOn(cadence, iso)) dates.push(iso);
    d = addDays(d, 1);
  }
  return dates;
}
