import { createHash } from 'node:crypto';
import { addDays, max } from 'date-fns';
import { jobId } from '../../jobs/catalog.js';
import type { EnqueueOptions } from '../../jobs/queue.js';
import {
  calendarDate,
  dateIn,
  formatDate,
  nextOccurrences,
  type Cadence,
} from '../domain/cadence.js';
import { localInstant } from '../domain/local-time.js';
import { nextAllowed, type QuietHours } from '../domain/quiet-hours.js';
import { planQuestions } from '../domain/question-plan.js';
import { questionFor } from '../domain/questions.js';
import { rollingWindow } from '../domain/window.js';
import { isDuplicateKey, type DeliveryDoc } from '../store/store.js';
import { askedHistories } from './asked-history.js';
import { recentActivePeople } from './recent-reads.js';
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

/** Deliveries written, and delivery jobs queued, per round trip while planning. */
const BATCH = 500;

/** The fields of a delivery that planning decides; the rest start as the schema says. */
type PlannedDelivery = Pick<
  DeliveryDoc,
  'pulseId' | 'engagementId' | 'personId' | 'personRef' | 'side' | 'platform' | 'state' | 'dueAt'
> & { _id: string; questions: { id: string; dimension: string; scale: string }[] };

/**
 * A delivery as the schema would store it, every default and timestamp filled in: deliveries
 * are inserted without mongoose's casting and validation, which cost more than the insert.
 */
export function newDelivery(planned: PlannedDelivery, now = new Date()) {
  return {
    ...planned,
    sentAt: null,
    answeredAt: null,
    message: null,
    error: null,
    sendAttempts: 0,
    claimedUntil: null,
    remindersSent: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** Inserts the deliveries that are not stored yet; the others are left as they are. */
async function insertNew(ctx: Context, deliveries: PlannedDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  try {
    const now = new Date();
    await ctx.store.deliveries.insertMany(
      deliveries.map((d) => newDelivery(d, now)),
      { ordered: false, lean: true },
    );
  } catch (err) {
    const errors = (err as { writeErrors?: unknown[] }).writeErrors;
    if (!Array.isArray(errors) || errors.length === 0) throw err;
    if (!errors.every((e) => isDuplicateKey(e) || isDuplicateKey((e as { err?: unknown }).err))) {
      throw err;
    }
  }
}

/**
 * Starts the pulse of one occurrence: the pulse, one delivery a person, due at the
 * occurrence's local time in the person's own time zone (or now, for an immediate pulse),
 * moved out of the engagement's quiet hours, the jobs that send the deliveries due together
 * (see `deliveryBatches`), and the job that closes it `closesAfterDays` after the last
 * delivery. The same occurrence never makes a second pulse, second deliveries or second jobs.
 */
export async function startPulse(
  ctx: Context,
  engagementId: string,
  occurrence: string,
  options: { immediate: boolean },
  activePeople?: PersonList,
): Promise<StartPulseResult> {
  const engagement = await ctx.store.engagements.findById(engagementId).lean();
  if (!engagement) return { kind: 'unknown-engagement' };
  if (engagement.paused) return { kind: 'paused' };
  const cadence = engagement.cadence as Cadence;
  const now = ctx.now();
  const people = activePeople ?? (await activePeopleOf(ctx, engagementId));
  const quiet = engagement.quietHours as QuietHours | null;
  // People share a handful of time zones, and each costs two time-zone conversions.
  const dueByZone = new Map<string, Date>();
  const dueOf = (tz: string) => {
    let due = dueByZone.get(tz);
    if (!due) {
      const at = options.immediate ? now : max([now, localInstant(occurrence, cadence.at, tz)]);
      due = nextAllowed(at, tz, quiet);
      dueByZone.set(tz, due);
    }
    return due;
  };
  const lastDue = max([now, ...people.map((p) => dueOf(personTimezone(p, engagement.timezone)))]);
  const pulseId = pulseIdFor(engagementId, occurrence);
  let created = true;
  let closesAt = addDays(lastDue, engagement.closesAfterDays);
  let listsPeople = true;
  try {
    await ctx.store.pulses.create({
      _id: pulseId,
      engagementId,
      occurrence,
      openedAt: now,
      closesAt,
      people: [],
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    created = false;
    const stored = await ctx.store.pulses.findById(pulseId).lean();
    closesAt = stored?.closesAt ?? closesAt;
    // A pulse created without the list keeps going without it: a partial list would hide
    // the deliveries of people who have left since from its close.
    listsPeople = Array.isArray(stored?.people);
  }
  await ctx.jobs.enqueue(
    'close-pulse',
    { pulseId },
    { jobId: jobId('close', pulseId), delay: closesAt.getTime() - now.getTime() },
  );
  const window = rollingWindow(now, engagement.timezone, engagement.windowWeeks);
  const parties = { client: engagement.client, provider: engagement.provider };
  const histories = await askedHistories(ctx, engagementId, pulseId);
  const planned = people.map((person) => {
    const id = deliveryIdFor(pulseId, person.personId);
    const dueAt = dueOf(personTimezone(person, engagement.timezone));
    const history = histories.get(person.personId) ?? {};
    const dims = planQuestions(history, window.start, engagement.questionsPerPulse);
    const address = chatAddress(person);
    const delivery: PlannedDelivery = {
      _id: id,
      pulseId,
      engagementId,
      personId: person.personId,
      personRef: person._id,
      side: person.side,
      platform: address?.platform ?? null,
      state: 'scheduled' as const,
      questions: dims.map((d) => {
        const q = questionFor(d, person.side, parties);
        return { id: q.id, dimension: q.dimension, scale: q.scale };
      }),
      dueAt,
    };
    return { id, dueAt, delivery };
  });
  // Deliveries first, then their jobs: a job never runs before its delivery exists. A
  // delivery stored by an earlier run of this planning keeps what it was planned with.
  for (let i = 0; i < planned.length; i += BATCH) {
    await insertNew(
      ctx,
      planned.slice(i, i + BATCH).map((p) => p.delivery),
    );
  }
  if (listsPeople && people.length > 0) {
    await ctx.store.pulses.updateOne(
      { _id: pulseId },
      { $addToSet: { people: { $each: people.map((p) => p.personId) } } },
    );
  }
  const batches = deliveryBatches(pulseId, planned, now);
  for (let i = 0; i < batches.length; i += BATCH / DELIVERY_BATCH) {
    await ctx.jobs.enqueueMany('deliver-pulses', batches.slice(i, i + BATCH / DELIVERY_BATCH));
  }
  ctx.log.info({ engagementId, pulseId, people: people.length, created }, 'pulse planned');
  return { kind: created ? 'started' : 'exists', pulseId, deliveries: people.length };
}

/** Deliveries sent by one job, at most. */
const DELIVERY_BATCH = 50;

/**
 * The delivery jobs of a pulse: its deliveries grouped by due time, in person order, up to
 * `DELIVERY_BATCH` a job. A job's id names what it sends (a digest of its delivery ids), so
 * planning again queues nothing new for the same people, and a delivery added since lands in a
 * job of its own id rather than one that already ran; a delivery in two jobs is sent once.
 */
function deliveryBatches(
  pulseId: string,
  planned: { id: string; dueAt: Date }[],
  now: Date,
): { payload: { pulseId: string; deliveryIds: string[] }; options: EnqueueOptions }[] {
  const byDue = new Map<number, string[]>();
  for (const { id, dueAt } of planned) {
    const ids = byDue.get(dueAt.getTime()) ?? [];
    byDue.set(dueAt.getTime(), ids);
    ids.push(id);
  }
  return [...byDue].flatMap(([dueMs, ids]) => {
    ids.sort();
    return Array.from({ length: Math.ceil(ids.length / DELIVERY_BATCH) }, (_, k) => {
      const deliveryIds = ids.slice(k * DELIVERY_BATCH, (k + 1) * DELIVERY_BATCH);
      const digest = createHash('sha256').update(deliveryIds.join('\n')).digest('hex');
      return {
        payload: { pulseId, deliveryIds },
        options: {
          jobId: jobId('deliver', pulseId, String(dueMs), digest.slice(0, 16)),
          delay: dueMs - now.getTime(),
        },
      };
    });
  });
}

function activePeopleOf(ctx: Context, engagementId: string) {
  return ctx.store.people.find({ engagementId, active: true }).lean();
}

type PersonList = Awaited<ReturnType<typeof activePeopleOf>>;

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
  // Read once, with the time zones refreshed in place, for every occurrence planned now.
  const people = await recentActivePeople(ctx, engagementId);
  await refreshPlatformTimezones(ctx, engagementId, people);
  const cadence = engagement.cadence as Cadence;
  const today = dateIn(ctx.now(), engagement.timezone);
  const until = formatDate(addDays(calendarDate(today), PLAN_AHEAD_DAYS));
  const dates = nextOccurrences(cadence, today, 3, until);
  for (const date of dates) {
    await startPulse(ctx, engagementId, date, { immediate: false }, people);
  }
  return dates;
}
