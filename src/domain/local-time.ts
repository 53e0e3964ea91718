import { tzOffset } from '@date-fns/tz';

const MINUTE = 60_000;
/** Wider than any clock change, so offsets this far either side are before and after it. */
const AROUND = 26 * 60 * MINUTE;

/**
 * The instant at which the calendar date `isoDate` shows the clock time `hhmm` in `timezone`.
 * A time that does not exist (clocks jump forward) moves forward by the jump; an ambiguous
 * one (clocks fall back) takes the earlier instant. The host's own time zone plays no part.
 */
export function localInstant(isoDate: string, hhmm: string, timezone: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const [hh, mm] = hhmm.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const offsetAt = (t: number) => tzOffset(timezone, new Date(t));
  const before = offsetAt(wall - AROUND);
  const offsets = new Set([before, offsetAt(wall), offsetAt(wall + AROUND)]);
  const matches = [...offsets]
    .map((offset) => wall - offset * MINUTE)
    .filter((t) => offsetAt(t) * MINUTE === wall - t);
  // No match means the clock skipped this time: reading it with the offset in force before
  // the jump lands the same distance past the jump, which is "moves forward by the jump".
  return new Date(matches.length > 0 ? Math.min(...matches) : wall - before * MINUTE);
}
