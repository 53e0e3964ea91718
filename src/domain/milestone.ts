import { addDays, differenceInCalendarDays } from 'date-fns';
import { calendarDate, formatDate } from './cadence.js';

/** What a milestone shows: stored `open` becomes `slipped` once its due date has passed. */
export type MilestoneStatus = 'open' | 'done' | 'slipped';

/**
 * The chasing steps of a milestone, in order: a reminder up to two days before the due date,
 * a nudge on the due day, nudges 2 and 5 days after it, then an escalation 7 days after it.
 */
export const STEPS = ['reminder', 'due', 'late-2', 'late-5', 'escalation'] as const;
export type Step = (typeof STEPS)[number];

/** Days from the due date at which each step becomes due (negative: before it). */
const STEP_OFFSET: Record<Step, number> = {
  reminder: -2,
  due: 0,
  'late-2': 2,
  'late-5': 5,
  escalation: 7,
};

/** Days from `from` to `to`, both `yyyy-MM-dd` calendar dates. */
export function daysBetween(from: string, to: string): number {
  return differenceInCalendarDays(calendarDate(to), calendarDate(from));
}

/** The calendar date `days` after `isoDate`. */
export function plusDays(isoDate: string, days: number): string {
  return formatDate(addDays(calendarDate(isoDate), days));
}

/** A milestone's status on the calendar date `today` of its engagement's time zone. */
export function milestoneStatus(
  m: { state: 'open' | 'done'; due: string },
  today: string,
): MilestoneStatus {
  if (m.state === 'done') return 'done';
  return today > m.due ? 'slipped' : 'open';
}

/**
 * The step an open milestone is at on `today`, or null before the reminder is due. When
 * checks were missed, only the latest step is returned: a late check sends one current
 * message rather than a burst of stale ones.
 */
export function currentStep(due: string, today: string): Step | null {
  const offset = daysBetween(due, today);
  let step: Step | null = null;
  for (const s of STEPS) if (offset >= STEP_OFFSET[s]) step = s;
  return step;
}

/**
 * Days past the first planned date: to the day it was done, or to `today` while open.
 * Re-planning does not reset it; 0 when on time.
 */
export function daysLate(
  m: { state: 'open' | 'done'; originalDue: string; doneOn: string | null },
  today: string,
): number {
  const end = m.state === 'done' && m.doneOn ? m.doneOn : today;
  return Math.max(0, daysBetween(m.originalDue, end));
}

/**
 * Whether a milestone counts towards follow-through on `today`, and if so whether it was
 * on time: done by its first planned date. Open milestones count once that date has passed.
 */
export function onTimeOutcome(
  m: { state: 'open' | 'done'; originalDue: string; doneOn: string | null },
  today: string,
): 'on-time' | 'late' | null {
  if (m.state === 'done' && m.doneOn) return m.doneOn <= m.originalDue ? 'on-time' : 'late';
  return today > m.originalDue ? 'late' : null;
}
