import { randomUUID } from 'node:crypto';
import type { Context } from './context.js';

/** A mark older than this is taken to be left by a write that died: 5 minutes. */
export const RECOVERY_GRACE_MS = 5 * 60_000;

/** What a mark says: which engagement's weeks an answer's roll-up change touches, and when. */
export interface Mark {
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
 * process stopped in between (or the roll-up write failed); recoverRollups then recomputes the
 * weeks it names. While it is young, a rebuild of those weeks waits for it.
 */
export class PendingRollup {
  private constructor(
    private readonly ctx: Context,
    private readonly field: string,
    private readonly mark: Mark,
  ) {}

  /** Sets a mark for one answer; resolves once Redis holds it. */
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

/** Every mark now in Redis; one that cannot be read is removed, with a warning. */
export async function readMarks(ctx: Context): Promise<{ field: string; mark: Mark }[]> {
  const all = await ctx.jobs.connection.hgetall(marksKey(ctx));
  const marks: { field: string; mark: Mark }[] = [];
  for (const [field, text] of Object.entries(all)) {
    try {
      const mark = JSON.parse(text) as Mark;
      if (typeof mark.engagementId === 'string' && Array.isArray(mark.weeks)) {
        marks.push({ field, mark });
        continue;
      }
    } catch {
      // Not JSON: removed below like any other mark that cannot be read.
    }
    ctx.log.warn({ field }, 'unreadable roll-up mark removed');
    await clearMarks(ctx, [field]);
  }
  return marks;
}

export async function clearMarks(ctx: Context, fields: string[]): Promise<void> {
  if (fields.length > 0) await ctx.jobs.connection.hdel(marksKey(ctx), ...fields);
}
