import { jobId } from '../../jobs/catalog.js';
import type { Context } from './context.js';
import { forgetRecentReads } from './recent-reads.js';

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
  await ctx.store.pulses.updateOne(
    { _id: pulseId, closedAt: null },
    { $set: { closedAt: now < pulse.closesAt ? now : pulse.closesAt } },
  );
  forgetRecentReads(ctx.store);
  const open = await ctx.store.deliveries
    .find({ pulseId, state: { $in: [...OPEN_STATES] } })
    .select({ _id: 1 })
    .lean();
  await ctx.store.deliveries.updateMany(
    { _id: { $in: open.map((d) => d._id) }, state: { $in: [...OPEN_STATES] } },
    { $set: { state: 'expired' } },
  );
  // Answered messages are redrawn too, so every message of the pulse shows it has closed.
  const withMessage = await ctx.store.deliveries
    .find({ pulseId, message: { $ne: null } })
    .select({ _id: 1 })
    .lean();
  for (const d of withMessage) {
    await ctx.jobs.enqueue(
      'refresh-message',
      { deliveryId: d._id },
      { jobId: jobId('refresh', d._id, 'closed') },
    );
  }
  ctx.log.info({ engagementId: pulse.engagementId, pulseId, expired: open.length }, 'pulse closed');
  return open.length;
}
