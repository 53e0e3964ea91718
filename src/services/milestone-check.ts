import { dateIn } from '../domain/cadence.js';
import { currentStep, type Step } from '../domain/milestone.js';
import { UserError } from '../errors.js';
import type { EngagementDoc, MilestoneDoc, PersonDoc } from '../store/store.js';
import type { Context } from './context.js';
import { stepNotice } from './milestone-notices.js';
import { peopleWithRole, sendOnce, type SendOnceResult } from './plan-notices.js';
import { checkScoreAlerts } from './score-alerts.js';

/** Messages sent by one check, by kind; `unreachable` counts people no platform reached. */
export interface CheckSummary {
  engagements: number;
  reminders: number;
  nudges: number;
  escalations: number;
  alerts: number;
  unreachable: number;
}

function emptySummary(): CheckSummary {
  return { engagements: 0, reminders: 0, nudges: 0, escalations: 0, alerts: 0, unreachable: 0 };
}

function tally(summary: CheckSummary, step: Step, result: SendOnceResult): void {
  if (result === 'unreachable' || result === 'failed') summary.unreachable += 1;
  if (result !== 'sent') return;
  if (step === 'reminder') summary.reminders += 1;
  else if (step === 'escalation') summary.escalations += 1;
  else summary.nudges += 1;
}

type EngagementRecord = Pick<EngagementDoc, '_id' | 'name' | 'timezone'>;

async function chaseMilestone(
  ctx: Context,
  engagement: EngagementRecord,
  m: MilestoneDoc & { _id: string },
  today: string,
  leads: PersonDoc[],
  summary: CheckSummary,
): Promise<void> {
  const step = currentStep(m.due, today);
  if (!step) return;
  const item = await ctx.store.actionItems.findById(`${engagement._id}--${m.actionId}`).lean();
  const owners = await ctx.store.people
    .find({ engagementId: engagement._id, personId: { $in: item?.owners ?? [] }, active: true })
    .lean();
  const recipients = step === 'escalation' ? leads : owners;
  const notice = stepNotice(
    step,
    m,
    {
      engagementName: engagement.name,
      actionTitle: item?.title ?? m.actionId,
      owners: owners.map((p) => p.name ?? p.personId),
    },
    today,
  );
  // A click on Done or a re-plan between the query and the send stops the message.
  const stillWanted = async () =>
    Boolean(await ctx.store.milestones.exists({ _id: m._id, state: 'open', due: m.due }));
  for (const person of recipients) {
    const result = await sendOnce(ctx, {
      key: `step--${m._id}--${m.due}--${step}`,
      engagementId: engagement._id,
      kind: step,
      milestoneId: m.milestoneId,
      person,
      notice,
      stillWanted,
    });
    tally(summary, step, result);
  }
}

/** Runs the daily check of one engagement on the calendar date `asOf` falls on there. */
async function checkEngagement(
  ctx: Context,
  engagement: EngagementRecord,
  asOf: Date,
  summary: CheckSummary,
): Promise<void> {
  const today = dateIn(asOf, engagement.timezone);
  const open = await ctx.store.milestones
    .find({ engagementId: engagement._id, state: 'open' })
    .sort({ due: 1 })
    .lean();
  const leads = await peopleWithRole(ctx, engagement._id, 'governance_lead');
  for (const m of open) await chaseMilestone(ctx, engagement, m, today, leads, summary);
  summary.alerts += await checkScoreAlerts(ctx, engagement._id, asOf);
  summary.engagements += 1;
}

/**
 * The daily milestone check (09:00 in each engagement's time zone, or `rapport milestones
 * check`): for each open milestone, the step it has reached on `asOf` is sent to its owners
 * (reminder, nudges) or to both sides' governance leads (escalation), each step at most once
 * per milestone and due date; then the score alerts. Done milestones are never chased.
 * Without an engagement id, every engagement that is not paused is checked.
 */
export async function checkMilestones(
  ctx: Context,
  engagementId: string | undefined,
  asOf: Date,
): Promise<CheckSummary> {
  const summary = emptySummary();
  const filter = engagementId === undefined ? { paused: { $ne: true } } : { _id: engagementId };
  const engagements = await ctx.store.engagements
    .find(filter)
    .select({ name: 1, timezone: 1 })
    .lean();
  if (engagementId !== undefined && engagements.length === 0) {
    throw new UserError(`engagement: no engagement "${engagementId}"`);
  }
  for (const e of engagements) await checkEngagement(ctx, e, asOf, summary);
  ctx.log.info({ engagementId, asOf: asOf.toISOString(), ...summary }, 'milestones checked');
  return summary;
}
