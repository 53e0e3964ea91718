import { TZDate } from '@date-fns/tz';
import { addDays, format, getDay, nextMonday } from 'date-fns';
import { calendarDate, formatDate } from './cadence.js';
import { localInstant } from './local-time.js';

/**
 * Local hours in which nothing is sent. `from`–`to` may wrap past midnight (`19:00`–`08:00`);
 * `from` alone is quiet until midnight, `to` alone quiet from midnight. `weekends` makes all of
 * Saturday and Sunday quiet. None of it applies unless the engagement file sets it.
 */
export interface QuietHours {
  from?: string | undefined;
  to?: string | undefined;
  weekends?: boolean | undefined;
}

const DAY_MINUTES = 24 * 60;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

function clockOf(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** If local `minute` of `date` is inside the nightly window: the local date and clock it ends. */
function windowEnd(
  q: QuietHours,
  date: string,
  minute: number,
): { date: string; at: string } | null {
  if (q.from === undefined && q.to === undefined) return null;
  const from = q.from === undefined ? 0 : minutesOf(q.from);
  const to = q.to === undefined ? DAY_MINUTES : minutesOf(q.to);
  if (from === to) return null;
  const quiet = from < to ? minute >= from && minute < to : minute >= from || minute < to;
  if (!quiet) return null;
  const tomorrow = formatDate(addDays(calendarDate(date), 1));
  if (to === DAY_MINUTES) return { date: tomorrow, at: '00:00' };
  return { date: minute < to ? date : tomorrow, at: clockOf(to) };
}

/**
 * The first instant at or after `t` that is outside the quiet hours and weekends in
 * `timezone`: `t` itself when it is allowed already.
 */
export function nextAllowed(t: Date, timezone: string, quiet: QuietHours | null | undefined): Date {
  if (!quiet) return t;
  let at = t;
  // Each step lands on the end of a quiet stretch; a weekend and a nightly window can chain,
  // so a few steps settle any configuration.
  for (let step = 0; step < 8; step++) {
    const local = new TZDate(at.getTime(), timezone);
    const date = format(local, 'yyyy-MM-dd');
    const weekday = getDay(local);
    if (quiet.weekends && (weekday === 0 || weekday === 6)) {
      at = localInstant(formatDate(nextMonday(calendarDate(date))), '00:00', timezone);
      continue;
    }
    const end = windowEnd(quiet, date, local.getHours() * 60 + local.getMinutes());
    if (!end) return at;
    at = localInstant(end.date, end.at, timezone);
  }
  return at;
}
