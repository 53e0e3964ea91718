import { randomUUID } from 'node:crypto';
import type { Context } from './context.js';
import { rebuildWeeks } from './rollups.js';

/** A mark older than this is taken to be left by a write that died: 5 minutes. */
export const RECOVERY_GRACE_MS = 5 * 60_000;

/** What a mark says: which engagement's weeks an answer's roll-up change touches, and when. */
interface Mark {
  engagementId: string;
  weeks: string[];
  /** When the write began, in epoch milliseconds of the context's clock. */
  at: number;
}

function marksKey(ctx: Context): string {
  return `${ctx.jobs.prefix}:rollup-pending`;
}

/**
 * A mark in Redis that an answer and its roll-up change are being written. It is set before the
 * answer is written and removed once the roll-ups hold the change, so one left behind means a
 * process stopped in between; `recoverRollups` then recomputes the weeks it names.
 */
export class PendingRollup {
  private constructor(
    private readonly ctx: Context,
    private readonly field: string,
    private readonly mark: Mark,
  ) {}

  static async open(
    ctx: Context,
    answerId: string,
    engagementId: string,
    week: string,
  ): Promise<PendingRollup> {
    const mark: Mark = { engagementId, weeks: [week], at: ctx.now().getTime() };
    const pending = new PendingRollup(ctx, `${answerId}|${randomUUID()}`, mark);
    await pending.save();
    return pending;
  }

  /** Adds a week the change also touches (where a replaced answer was counted before). */
  async alsoTouches(week: string): Promise<void> {
    if (this.mark.weeks.includes(week)) return;
    this.mark.weeks.push(week);
    await this.save();
  }

  async close(): Promise<void> {
    await this.ctx.jobs.connection.hdel(marksKey(this.ctx), this.field);
  }

  private async save(): Promise<void> {
    await this.ctx.jobs.connection.hset(marksKey(this.ctx), this.field, JSON.stringify(this.mark));
  }
}

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
  const redis = ctx.jobs.connection;
  const all = await redis.hgetall(marksKey(ctx));
  const cutoff = ctx.now().getTime() - graceMs;
  const byEngagement = new Map<string, { weeks: Set<string>; fields: string[] }>();
  for (const [field, text] of Object.entries(all)) {
    const mark = JSON.parse(text) as Mark;
    if (mark.at > cutoff) continue;
    let entry = byEngagement.get(mark.engagementId);
    if (!entry) byEngagement.set(mark.engagementId, (entry = { weeks: new Set(), fields: [] }));
    for (const w of mark.weeks) entry.weeks.add(w);
    entry.fields.push(field);
  }
  const summary: RecoverySummary = { marks: 0, weeks: 0 };
  for (const [engagementId, { weeks, fields }] of byEngagement) {
    if (await ctx.store.engagements.exists({ _id: engagementId })) {
      await rebuildWeeks(ctx.store, engagementId, [...weeks]);
      summary.weeks += weeks.size;
      ctx.log.warn(
        { engagementId, weeks: [...weeks] },
        'roll-ups recomputed after a stopped write',
      );
    }
    await redis.hdel(marksKey(ctx), ...fields);
    summary.marks += fields.length;
  }
  return summary;
}
