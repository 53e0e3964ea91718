import type { Context } from './context.js';
import { clearMarks, readMarks, RECOVERY_GRACE_MS } from './rollup-marks.js';
import { rebuildWeeks } from './rollup-rebuild.js';

export interface RecoverySummary {
  /** Marks found older than the grace period and cleared. */
  marks: number;
  /** Weeks recomputed, over all engagements. */
  weeks: number;
}

/**
 * Recomputes the roll-up weeks named by marks older than `graceMs` (default RECOVERY_GRACE_MS)
 * from the stored answers, then clears those marks. Younger marks belong to writes still
 * under way and are left. Marks of engagements that no longer exist are cleared.
 */
export async function recoverRollups(
  ctx: Context,
  graceMs = RECOVERY_GRACE_MS,
): Promise<RecoverySummary> {
  const cutoff = ctx.now().getTime() - graceMs;
  const byEngagement = new Map<string, { weeks: Set<string>; fields: string[] }>();
  for (const { field, mark } of await readMarks(ctx)) {
    if (mark.at > cutoff) continue;
    let entry = byEngagement.get(mark.engagementId);
    if (!entry) byEngagement.set(mark.engagementId, (entry = { weeks: new Set(), fields: [] }));
    for (const w of mark.weeks) entry.weeks.add(w);
    entry.fields.push(field);
  }
  const summary: RecoverySummary = { marks: 0, weeks: 0 };
  for (const [engagementId, { weeks, fields }] of byEngagement) {
    if (await ctx.store.engagements.exists({ _id: engagementId })) {
      await rebuildWeeks(ctx, engagementId, [...weeks]);
      summary.weeks += weeks.size;
      ctx.log.warn(
        { engagementId, weeks: [...weeks] },
        'roll-ups recomputed after a stopped write',
      );
    }
    await clearMarks(ctx, fields);
    summary.marks += fields.length;
  }
  return summary;
}
