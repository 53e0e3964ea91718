import { jobId } from '../../jobs/catalog.js';
import type { Context } from './context.js';
import { deliveryIdFor } from './pulses.js';
import { forgetRecentReads } from './recent-reads.js';
import { sendClaims } from './send-claims.js';

/** Deliveries that were sent and not answered; at the close they expire. */
const OPEN_STATES = ['sent'] as const;

/**
 * Closes a pulse: marks it closed, expires the deliveries still waiting for an answer and
 * queues a redraw of their messages as "closed". Running it twice changes nothing more.
 */
export async function closePulse(ctx: Context, pulseId: string): Promise<number> {
  const pulse = await ctx.store.pulses.findById(pulseId).lean();
  if (!pulse) return 0;
  const now = ctx.now();
  // The stop first: a send already past its read of the pulse meets it at its claim.
  await sendClaims(ctx).stop({ closed: pulseId });
  if (pulse.closedAt === null) {
    await ctx.store.pulses.updateOne(
      { _id: pulseId },
      { $set: { closedAt: now < pulse.closesAt ? now : pulse.closesAt } },
    );
  }
  forgetRecentReads(ctx.store);
  const { expired, withMessage } = pulse.people
    ? await closeByKey(ctx, pulseId, pulse.people)
    : await closeByQuery(ctx, pulseId);
  // Answered messages are redrawn too, so every message of the pulse shows it has closed.
  for (const id of withMessage) {
    await ctx.jobs.enqueue(
      'refresh-message',
      { deliveryId: id },
      { jobId: jobId('refresh', id, 'closed') },
    );
  }
  ctx.log.info({ engagementId: pulse.engagementId, pulseId, expired }, 'pulse closed');
  return expired;
}

/** Deliveries read at once while closing by key. */
const CONCURRENCY = 8;

/**
 * Expires the pulse's open deliveries, each read and written by `_id` (FerretDB scans the
 * whole collection for any other filter). Returns how many expired and which have a message.
 */
async function closeByKey(ctx: Context, pulseId: string, people: string[]) {
  let expired = 0;
  const withMessage: string[] = [];
  let next = 0;
  const work = async () => {
    while (next < people.length) {
      const id = deliveryIdFor(pulseId, people[next++]!);
      const d = await ctx.store.deliveries.findById(id).select({ state: 1, message: 1 }).lean();
      if (!d) continue;
      if ((OPEN_STATES as readonly string[]).includes(d.state)) {
        await ctx.store.deliveries.updateOne({ _id: id }, { $set: { state: 'expired' } });
        expired++;
      }
      if (d.message != null) withMessage.push(id);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, work));
  return { expired, withMessage: withMessage.sort() };
}

/** The same by queries, for pulses planned before they listed their people. */
async function closeByQuery(ctx: Context, pulseId: string) {
  const open = await ctx.store.deliveries
    .find({ pulseId, state: { $in: [...OPEN_STATES] } })
    .select({ _id: 1 })
    .lean();
  await ctx.store.deliveries.updateMany(
    { _id: { $in: open.map((d) => d._id) }, state: { $in: [...OPEN_STATES] } },
    { $set: { state: 'expired' } },
  );
  const withMessage = await ctx.store.deliveries
    .find({ pulseId, message: { $ne: null } })
    .select({ _id: 1 })
    .lean();
  return { expired: open.length, withMessage: withMessage.map((d) => d._id) };
}
