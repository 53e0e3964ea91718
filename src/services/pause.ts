import { addWeeks } from 'date-fns';
import type { Context } from './context.js';
import { forgetRecentReads } from './recent-reads.js';
import { sendClaims } from './send-claims.js';
import type { Requester } from './requests.js';

/** A pause without an end: it lasts until `/rapport resume`. */
export const UNTIL_RESUMED = new Date('9999-12-31T00:00:00Z');

/** Deliveries a pause stops: not sent yet, or sent and not answered. */
const STOPPABLE = ['scheduled', 'sent'] as const;

/** Whether a person is paused at `now`. */
export function isPersonPaused(person: { pausedUntil?: Date | null }, now: Date): boolean {
  return person.pausedUntil != null && person.pausedUntil > now;
}

/**
 * Marks the open deliveries matching `filter` as paused: nothing more is sent for them (no
 * pulse, no reminder) and they leave the response rates.
 */
async function pauseOpenDeliveries(ctx: Context, filter: Record<string, unknown>) {
  const open = await ctx.store.pulses
    .find({ closedAt: null, closesAt: { $gt: ctx.now() } })
    .select({ _id: 1 })
    .lean();
  const result = await ctx.store.deliveries.updateMany(
    { ...filter, pulseId: { $in: open.map((p) => p._id) }, state: { $in: [...STOPPABLE] } },
    { $set: { state: 'paused' } },
  );
  return result.modifiedCount;
}

export type PauseResult =
  | { kind: 'paused'; until: Date | null; engagements: number }
  | { kind: 'resumed'; engagements: number }
  | { kind: 'unknown-person' };

/**
 * Pauses a person in every engagement they take part in on this platform, for `weeks` weeks
 * or, without `weeks`, until they resume.
 */
export async function pausePerson(
  ctx: Context,
  requester: Requester,
  weeks?: number,
): Promise<PauseResult> {
  const people = await peopleOf(ctx, requester);
  if (people.length === 0) return { kind: 'unknown-person' };
  const until = weeks === undefined ? UNTIL_RESUMED : addWeeks(ctx.now(), weeks);
  const claims = sendClaims(ctx);
  for (const p of people) {
    // The stop first: a send already past its read of the person meets it at its claim.
    await claims.stop({ paused: p.engagementId, personId: p.personId }, until);
    await ctx.store.people.updateOne({ _id: p._id }, { $set: { pausedUntil: until } });
    await pauseOpenDeliveries(ctx, { engagementId: p.engagementId, personId: p.personId });
  }
  forgetRecentReads(ctx.store);
  const shown = weeks === undefined ? null : until;
  return { kind: 'paused', until: shown, engagements: people.length };
}

/** Ends a person's pause; pulses of later occurrences reach them again. */
export async function resumePerson(ctx: Context, requester: Requester): Promise<PauseResult> {
  const people = await peopleOf(ctx, requester);
  if (people.length === 0) return { kind: 'unknown-person' };
  const claims = sendClaims(ctx);
  for (const p of people) await claims.unstop({ paused: p.engagementId, personId: p.personId });
  await ctx.store.people.updateMany(
    { _id: { $in: people.map((p) => p._id) } },
    { $set: { pausedUntil: null } },
  );
  forgetRecentReads(ctx.store);
  return { kind: 'resumed', engagements: people.length };
}

/** Pauses or resumes a whole engagement; false when there is no such engagement. */
export async function setEngagementPaused(
  ctx: Context,
  engagementId: string,
  paused: boolean,
): Promise<boolean> {
  if (!(await ctx.store.engagements.exists({ _id: engagementId }))) return false;
  const claims = sendClaims(ctx);
  if (paused) await claims.stop({ paused: engagementId });
  else await claims.unstop({ paused: engagementId });
  await ctx.store.engagements.updateOne({ _id: engagementId }, { $set: { paused } });
  forgetRecentReads(ctx.store);
  if (paused) await pauseOpenDeliveries(ctx, { engagementId });
  return true;
}

async function peopleOf(ctx: Context, requester: Requester) {
  const filter =
    requester.platform === 'slack'
      ? { 'slack.team': requester.team, 'slack.user': requester.user }
      : { 'teams.tenant': requester.tenant, 'teams.user': requester.user };
  return ctx.store.people.find({ ...filter, active: true }).lean();
}
