import { addDays, max } from 'date-fns';
import {
  calendarDate,
  dateIn,
  formatDate,
  nextOccurrences,
  type Cadence,
} from '../domain/cadence.js';
import { localInstant } from '../domain/local-time.js';
import { nextAllowed, type QuietHours } from '../domain/quiet-hours.js';
import type { Store } from '../store/store.js';
import { isPersonPaused, UNTIL_RESUMED } from './pause.js';
import { chatAddress, personTimezone } from './people.js';

/** Deliveries listed per person. */
export const SCHEDULE_COUNT = 5;

/** A person's standing in the schedule; only `active` people receive the listed deliveries. */
export type ScheduleStatus = 'active' | 'paused' | 'unreachable' | 'engagement-paused';

export interface PersonSchedule {
  id: string;
  timezone: string;
  status: ScheduleStatus;
  /** While paused for a while: when the pause ends. */
  pausedUntil: Date | null;
  /** The next deliveries after the given time, as instants. */
  next: Date[];
}

export interface Schedule {
  engagement: string;
  timezone: string;
  from: Date;
  people: PersonSchedule[];
}

/**
 * The next `count` deliveries of an occurrence-based cadence to someone in `timezone`, strictly
 * after `from`, each at the cadence's local time and moved out of quiet hours.
 */
export function nextDeliveries(
  cadence: Cadence,
  engagementTimezone: string,
  timezone: string,
  quiet: QuietHours | null,
  from: Date,
  count = SCHEDULE_COUNT,
): Date[] {
  // An occurrence dated the day before `from` may still lie ahead in a zone west of it.
  let fromDate = formatDate(addDays(calendarDate(dateIn(from, engagementTimezone)), -1));
  const out: Date[] = [];
  while (out.length < count) {
    const dates = nextOccurrences(cadence, fromDate, count + 1);
    if (dates.length === 0) break;
    for (const d of dates) {
      const at = nextAllowed(localInstant(d, cadence.at, timezone), timezone, quiet);
      if (at > from && out.length < count) out.push(at);
    }
    fromDate = formatDate(addDays(calendarDate(dates[dates.length - 1]!), 1));
  }
  return out;
}

/** Each active person's next deliveries after `from`, in their own time zone. */
export async function scheduleOf(
  store: Store,
  engagementId: string,
  from: Date,
): Promise<Schedule | null> {
  const engagement = await store.engagements.findById(engagementId).lean();
  if (!engagement) return null;
  const cadence = engagement.cadence as Cadence;
  const quiet = engagement.quietHours as QuietHours | null;
  const people = await store.people.find({ engagementId, active: true }).sort({ personId: 1 });
  return {
    engagement: engagementId,
    timezone: engagement.timezone,
    from,
    people: people.map((p) => {
      const timezone = personTimezone(p, engagement.timezone);
      const paused = isPersonPaused(p, from);
      const status: ScheduleStatus = engagement.paused
        ? 'engagement-paused'
        : chatAddress(p) === null
          ? 'unreachable'
          : paused
            ? 'paused'
            : 'active';
      const pausedUntil = paused ? (p.pausedUntil ?? null) : null;
      const resumes = pausedUntil !== null && pausedUntil < UNTIL_RESUMED;
      const after = pausedUntil && resumes ? max([from, pausedUntil]) : from;
      const next =
        status === 'active' || (status === 'paused' && resumes)
          ? nextDeliveries(cadence, engagement.timezone, timezone, quiet, after)
          : [];
      return { id: p.personId, timezone, status, pausedUntil, next };
    }),
  };
}
