import { createHash } from 'node:crypto';
import { z } from 'zod';
import { dateIn } from '../domain/cadence.js';
import { UserError } from '../errors.js';
import type { MilestoneDoc } from '../store/store.js';
import type { Context } from './context.js';
import { isoDate, parseOrExplain } from './action-plan.js';
import { blockedAlert, type MilestoneContext } from './milestone-notices.js';
import { peopleWithRole, sendOnce } from './plan-notices.js';

export type MilestoneChange =
  | { kind: 'done'; milestone: MilestoneDoc }
  | { kind: 'replanned'; milestone: MilestoneDoc }
  | { kind: 'blocked'; milestone: MilestoneDoc; alerted: number }
  | { kind: 'already-done'; milestone: MilestoneDoc }
  | { kind: 'unknown' };

/** A milestone with what its messages show around it, or null when there is none. */
export async function loadMilestone(ctx: Context, key: string) {
  const milestone = await ctx.store.milestones.findById(key).lean();
  if (!milestone) return null;
  const [engagement, item] = await Promise.all([
    ctx.store.engagements.findById(milestone.engagementId).lean(),
    ctx.store.actionItems.findById(`${milestone.engagementId}--${milestone.actionId}`).lean(),
  ]);
  if (!engagement) return null;
  const owners = await ctx.store.people
    .find({ engagementId: milestone.engagementId, personId: { $in: item?.owners ?? [] } })
    .lean();
  const context: MilestoneContext = {
    engagementName: engagement.name,
    actionTitle: item?.title ?? milestone.actionId,
    owners: owners.map((p) => p.name ?? p.personId),
  };
  return { milestone, engagement, item, context, today: dateIn(ctx.now(), engagement.timezone) };
}

/** Marks a milestone done on today's date in its engagement; a second call changes nothing. */
export async function markDone(ctx: Context, key: string, by: string): Promise<MilestoneChange> {
  const loaded = await loadMilestone(ctx, key);
  if (!loaded) return { kind: 'unknown' };
  const updated = await ctx.store.milestones
    .findOneAndUpdate(
      { _id: key, state: 'open' },
      { $set: { state: 'done', doneOn: loaded.today, doneBy: by } },
      { returnDocument: 'after' },
    )
    .lean();
  if (!updated) return { kind: 'already-done', milestone: loaded.milestone };
  return { kind: 'done', milestone: updated };
}

const replanInput = z.object({
  due: isoDate,
  reason: z.string({ error: 'is required' }).trim().min(1, 'is required'),
});

/**
 * Moves an open milestone to a new date with a reason, keeping the old date in its history.
 * The new date must be today or later in the engagement's time zone. Bad input raises a
 * UserError naming the field and changes nothing.
 */
export async function replan(
  ctx: Context,
  key: string,
  input: { due?: string | undefined; reason?: string | undefined },
  by: string,
): Promise<MilestoneChange> {
  const { due, reason } = parseOrExplain(replanInput, input);
  const loaded = await loadMilestone(ctx, key);
  if (!loaded) return { kind: 'unknown' };
  const { milestone, today } = loaded;
  if (milestone.state === 'done') return { kind: 'already-done', milestone };
  if (due < today) throw new UserError(`due: ${due} has passed; pick ${today} or later`);
  if (due === milestone.due) throw new UserError(`due: it is due on ${due} already`);
  const entry = { from: milestone.due, to: due, reason, by, at: ctx.now() };
  // Conditional on the date read, so two re-plans at once do not lose one's history entry.
  const updated = await ctx.store.milestones
    .findOneAndUpdate(
      { _id: key, state: 'open', due: milestone.due },
      { $set: { due }, $push: { replans: entry } },
      { returnDocument: 'after' },
    )
    .lean();
  if (!updated) throw new UserError('due: the milestone changed meanwhile; try again');
  return { kind: 'replanned', milestone: updated };
}

/**
 * Records that an open milestone is blocked and alerts both sides' governance leads. The
 * same reason given twice for the same date (a double click) alerts them once.
 */
export async function block(
  ctx: Context,
  key: string,
  input: { reason?: string | undefined },
  by: { personId: string; name: string },
): Promise<MilestoneChange> {
  const { reason } = parseOrExplain(replanInput.pick({ reason: true }), input);
  const loaded = await loadMilestone(ctx, key);
  if (!loaded) return { kind: 'unknown' };
  const { milestone, context } = loaded;
  if (milestone.state === 'done') return { kind: 'already-done', milestone };
  const last = milestone.blocks.at(-1);
  let updated = milestone;
  if (last?.reason !== reason) {
    const entry = { reason, by: by.personId, at: ctx.now() };
    // Only if no entry was added since the read, so a double click records it once.
    const unchanged = { _id: key, [`blocks.${milestone.blocks.length}`]: { $exists: false } };
    updated =
      (await ctx.store.milestones
        .findOneAndUpdate(unchanged, { $push: { blocks: entry } }, { returnDocument: 'after' })
        .lean()) ??
      // A concurrent click added the entry first; answer with it rather than the stale read.
      (await ctx.store.milestones.findById(key).lean()) ??
      milestone;
  }
  const hash = createHash('sha256').update(reason).digest('hex').slice(0, 12);
  let alerted = 0;
  for (const lead of await peopleWithRole(ctx, milestone.engagementId, 'governance_lead')) {
    const result = await sendOnce(ctx, {
      key: `blocked--${key}--${milestone.due}--${hash}`,
      engagementId: milestone.engagementId,
      kind: 'blocked',
      milestoneId: milestone.milestoneId,
      person: lead,
      notice: blockedAlert(milestone, context, by.name, reason),
    });
    if (result === 'sent') alerted += 1;
  }
  return { kind: 'blocked', milestone: updated, alerted };
}
