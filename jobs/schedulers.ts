import { dateIn } from '../src/domain/cadence.js';
import type { Context } from '../src/services/context.js';
import { jobId } from './catalog.js';

/** Planning runs daily shortly after local midnight; it plans the next two days' pulses. */
const PLAN_PATTERN = '5 0 * * *';

/** Roll-up recovery runs every 10 minutes, for all engagements. */
const RECOVERY_PATTERN = '*/10 * * * *';

/**
 * Upserts the roll-up recovery scheduler and one job scheduler per engagement, firing in the
 * engagement's time zone, and plans once now so that a bot started mid-day catches up.
 * Upserts are idempotent, so several processes booting at once leave one scheduler each.
 */
export async function syncSchedulers(ctx: Context): Promise<number> {
  await ctx.jobs.schedule(
    'recover-rollups',
    { pattern: RECOVERY_PATTERN, tz: 'UTC' },
    'recover-rollups',
    {},
  );
  const engagements = await ctx.store.engagements.find().select({ timezone: 1 }).lean();
  for (const e of engagements) {
    await ctx.jobs.schedule(
      jobId('plan', e._id),
      { pattern: PLAN_PATTERN, tz: e.timezone },
      'plan-pulses',
      { engagementId: e._id },
    );
    const today = dateIn(ctx.now(), e.timezone);
    await ctx.jobs.enqueue(
      'plan-pulses',
      { engagementId: e._id },
      { jobId: jobId('plan', e._id, 'catch-up', today) },
    );
  }
  return engagements.length;
}
