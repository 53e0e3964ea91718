import { addDays, max } from 'date-fns';
import { jobId } from '../../jobs/catalog.js';
import {
  calendarDate,
  dateIn,
  formatDate,
  nextOccurrences,
  type Cadence,
} from '../domain/cadence.js';
import type { Dimension } from '../domain/dimension.js';
import { localInstant } from '../domain/local-time.js';
import { nextAllowed, type QuietHours } from '../domain/quiet-hours.js';
import { planQuestions, type AskedHistory } from '../domain/question-plan.js';
import { questionFor } from '../domain/questions.js';
import { rollingWindow } from '../domain/window.js';
import { isDuplicateKey } from '../store/store.js';
import type { Context } from './context.js';
import { chatAddress, personTimezone } from './people.js';
import { refreshPlatformTimezones } from './person-timezones.js';

/** Days ahead that pulses are planned, so that time zones east of the engagement's get theirs. */
const PLAN_AHEAD_DAYS = 2;

export type StartPulseResult =
  | { kind: 'started'; pulseId: string; deliveries: number }
  | { kind: 'exists'; pulseId: string; deliveries: number }
  | { kind: 'unknown-engagement' }
  | { kind: 'paused' };

export function pulseIdFor(engagementId: string, occurrence: string): string {
  return jobId(engagementId, occurrence);
}

export function deliveryIdFor(pulseId: string, personId: string): string {
  return jobId(pulseId, personId);
}

/** What each person of an engagement was asked and when, read in one query. */
async function askedHistories(ctx: Context, engagementId: string) {
  const past = await ctx.store.deliveries
    .find({ engagementId, state: { $nin: ['scheduled', 'paused'] } })
    .select({ personId: 1, questions: 1, dueAt: 1 })
    .lean();
  const histories = new Map<string, AskedHistory>();
  for (const d of past) {
    const history = histories.get(d.personId) ?? {};
    histories.set(d.personId, history);
    for (const q of d.questions) {
      const dim = q.dimension as Dimension;
      const last = history[dim];
      if (!last || last < d.dueAt) history[dim] = d.dueAt;
    }
  }
  return histories;
}

/**
 * Starts the pulse of one occurrence: the pulse, one delivery a person and one delivery job
 * each, due at the occurrence's local time in the person's own time zone (or now, for an
 * immediate pulse), moved out of the engagement's quiet hours, and the job that closes it
 * `closesAfterDays` after the last delivery. The same occurrence never makes a second pulse,
 * second deliveries or second jobs.
 */
export async function startPulse(
  ctx: Context,
  engagementId: string,
  occurrence: string,
  options: { immediate: boolean },
): Promise<StartPulseResult> {
  const engagement = await ctx.store.engagements.findById(engagementId).lean();
  if (!engagement) return { kind: 'unknown-engagement' };
  if (engagement.paused) return { kind: 'paused' };
  const cadence = engagement.cadence as Cadence;
  const now = ctx.now();
  const people = await ctx.store.people.find({ engagementId, active: true }).lean();
  const quiet = engagement.quietHours as QuietHours | null;
  const dueOf = (tz: string) =>
    nextAllowed(
      options.immediate ? now : max([now, localInstant(occurrence, cadence.at, tz)]),
      tz,
      quiet,
    );
  const lastDue = max([now, ...people.map((p) => dueOf(personTimezone(p, engagement.timezone)))]);
  const pulseId = pulseIdFor(engagementId, occurrence);
  let created = true;
  let closesAt = addDays(lastDue, engagement.closesAfterDays);
  try {
    await ctx.store.pulses.create({
      _id: pulseId,
      engagementId,
      occurrence,
      openedAt: now,
      closesAt,
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    created = false;
    closesAt = (await ctx.store.pulses.findById(pulseId).lean())?.closesAt ?? closesAt;
  }
  await ctx.jobs.enqueue(
    'close-pulse',
    { pulseId },
    { jobId: jobId('close', pulseId), delay: closesAt.getTime() - now.getTime() },
  );
  const window = rollingWindow(now, engagement.timezone, engagement.windowWeeks);
  const parties = { client: engagement.client, provider: engagement.provider };
  const histories = await askedHistories(ctx, engagementId);
  for (const person of people) {
    const id = deliveryIdFor(pulseId, person.personId);
    const dueAt = dueOf(personTimezone(person, engagement.timezone));
    if (!(await ctx.store.deliveries.exists({ _id: id }))) {
      const history = histories.get(person.personId) ?? {};
      const dims = planQuestions(history, window.start, engagement.questionsPerPulse);
      const address = chatAddress(person);
      try {
        await ctx.store.deliveries.create({
          _id: id,
          pulseId,
          engagementId,
          personId: person.personId,
          personRef: person._id,
          side: person.side,
          platform: address?.platform ?? null,
          state: 'scheduled',
          questions: dims.map((d) => {
            const q = questionFor(d, person.side, parties);
            return { id: q.id, dimension: q.dimension, scale: q.scale };
          }),
          dueAt,
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    await ctx.jobs.enqueue(
      'deliver-pulse',
      { deliveryId: id },
      { jobId: jobId('deliver', id), delay: dueAt.getTime() - now.getTime() },
    );
  }
  ctx.log.info({ engagementId, pulseId, people: people.length, created }, 'pulse planned');
  return { kind: created ? 'started' : 'exists', pulseId, deliveries: people.length };
}

/** Starts a pulse for today's date in the engagement's time zone, delivered now. */
export async function sendPulseNow(ctx: Context, engagementId: string) {
  const engagement = await ctx.store.engagements.findById(engagementId).lean();
  if (!engagement) return { kind: 'unknown-engagement' } as const;
  const today = dateIn(ctx.now(), engagement.timezone);
  return startPulse(ctx, engagementId, today, { immediate: true });
}

/** Plans the occurrences of the next few days, so each person gets theirs at local time. */
export async function planPulses(ctx: Context, engagementId: string): Promise<string[]> {
  const engagement = await ctx.store.engagements.findById(engagementId).lean();
  if (!engagement || engagement.paused) return [];
  await refreshPlatformTimezones(ctx, engagementId);
  const cadence = engagement.cadence as Cadence;
  const today = dateIn(ctx.now(), engagement.timezone);
  const until = formatDate(addDays(calendarDate(today), PLAN_AHEAD_DAYS));
  const dates = nextOccurrences(cadence, today, 3).filter((d) => d <= until);
  for (const date of dates) {
    await startPulse(ctx, engagementId, date, { immediate: false });
  }
  return dates;
}
