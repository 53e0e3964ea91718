import { jobId } from '../../jobs/catalog.js';
import { nextAllowed, type QuietHours } from '../domain/quiet-hours.js';
import type { EngagementDoc, PersonDoc, PulseDoc } from '../store/store.js';
import type { Context } from './context.js';
import { isPersonPaused } from './pause.js';
import { chatAddress, personOfDelivery, personTimezone } from './people.js';
import { sendClaims } from './send-claims.js';

/**
 * When the reminders of a delivery sent at `sentAt` go out: `count` (0–2) of them spread
 * evenly between sending and the close, each moved out of quiet hours, and dropped when that
 * pushes it to or past the close or onto the one before.
 */
export function reminderTimes(
  sentAt: Date,
  closesAt: Date,
  count: number,
  timezone: string,
  quiet: QuietHours | null,
): Date[] {
  const span = closesAt.getTime() - sentAt.getTime();
  const times: Date[] = [];
  for (let k = 1; k <= count; k++) {
    const at = nextAllowed(new Date(sentAt.getTime() + (span * k) / (count + 1)), timezone, quiet);
    const previous = times[times.length - 1];
    if (at < closesAt && (!previous || at > previous)) times.push(at);
  }
  return times;
}

/** What a sender has at hand to time a delivery's reminders without reading anything. */
export interface ReminderInputs {
  sentAt: Date;
  engagement: Pick<EngagementDoc, 'timezone' | 'quietHours' | 'reminders'>;
  pulse: Pick<PulseDoc, 'closesAt'>;
  person: Pick<PersonDoc, 'configTimezone' | 'platformTimezone'>;
}

/** The reminder jobs of a delivery sent as `inputs` say, for a caller that queues many. */
export function reminderJobs(ctx: Context, deliveryId: string, inputs: ReminderInputs) {
  const { sentAt, engagement, pulse, person } = inputs;
  const tz = personTimezone(person, engagement.timezone);
  const quiet = engagement.quietHours as QuietHours | null;
  const times = reminderTimes(sentAt, pulse.closesAt, engagement.reminders, tz, quiet);
  const now = ctx.now();
  return times.map((at, i) => ({
    payload: { deliveryId, reminder: i + 1 },
    options: {
      jobId: jobId('remind', deliveryId, String(i + 1)),
      delay: at.getTime() - now.getTime(),
    },
  }));
}

/**
 * Queues the reminders of a delivery that was just sent. A sender that has the delivery's
 * send time, engagement, pulse and person at hand passes them, and nothing is read again.
 */
export async function scheduleReminders(
  ctx: Context,
  deliveryId: string,
  loaded?: ReminderInputs,
): Promise<number> {
  const read = loaded ?? (await readForReminders(ctx, deliveryId));
  if (!read) return 0;
  const jobs = reminderJobs(ctx, deliveryId, read);
  await ctx.jobs.enqueueMany('remind-delivery', jobs);
  return jobs.length;
}

async function readForReminders(ctx: Context, deliveryId: string) {
  const delivery = await ctx.store.deliveries.findById(deliveryId).lean();
  if (!delivery?.sentAt) return null;
  const [engagement, pulse, person] = await Promise.all([
    ctx.store.engagements.findById(delivery.engagementId).lean(),
    ctx.store.pulses.findById(delivery.pulseId).lean(),
    personOfDelivery(ctx.store, delivery),
  ]);
  if (!engagement || !pulse || !person) return null;
  return { sentAt: delivery.sentAt, engagement, pulse, person };
}

export type RemindResult = 'reminded' | 'skipped' | 'unreachable';

/**
 * Sends reminder number `reminder` of a delivery, at most once, and only while the person has
 * not answered, is not paused and the pulse is open. A reminder whose send fails is not
 * tried again: a missed nudge is better than a doubled one. The database is read and
 * written by `_id` only.
 */
export async function remind(
  ctx: Context,
  deliveryId: string,
  reminder: number,
): Promise<RemindResult> {
  const delivery = await ctx.store.deliveries.findById(deliveryId).lean();
  if (!delivery || delivery.state !== 'sent') return 'skipped';
  const [engagement, pulse, person] = await Promise.all([
    ctx.store.engagements.findById(delivery.engagementId).lean(),
    ctx.store.pulses.findById(delivery.pulseId).lean(),
    personOfDelivery(ctx.store, delivery),
  ]);
  const now = ctx.now();
  if (!engagement || engagement.paused || !pulse || !person) return 'skipped';
  if (pulse.closedAt !== null || now >= pulse.closesAt || isPersonPaused(person, now)) {
    return 'skipped';
  }
  const address = chatAddress(person);
  const port = address ? ctx.chat[address.platform] : undefined;
  if (!address || !port) return 'unreachable';
  // The claim is atomic in Redis; the count kept on the delivery (written by `_id`, as
  // FerretDB scans for any other filter) stops a reminder again if Redis lost the claim.
  if ((delivery.remindersSent ?? 0) >= reminder) return 'skipped';
  const claims = sendClaims(ctx);
  if (!(await claims.claimReminder(deliveryId, reminder))) return 'skipped';
  await ctx.store.deliveries.updateOne({ _id: deliveryId }, { $set: { remindersSent: reminder } });
  await port.sendNotice(address, {
    title: `Reminder: the ${engagement.name} pulse is still open`,
    lines: [
      `It takes one click per question, in the pulse message above.`,
      `It closes ${pulse.closesAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    ],
  });
  ctx.log.info({ engagementId: delivery.engagementId, deliveryId, reminder }, 'reminder sent');
  return 'reminded';
}
